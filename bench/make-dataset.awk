# make-dataset.awk - an event dataset for the kratom taper scenario's model
# (bench/dataset-scale.sh): n subjects, each 2 g of kratom leaf powder (a
# PRODUCT column) at 08:00, 14:00 and 20:00 for 35 days and an observation
# record at 12:00 each day, with its own CL_mg and V_mg (log-normal around
# 150 L/h and 1900 L, SD of the logarithm 0.385 and 0.294), about 6 KB of
# CSV per subject.
#
#   awk -v n=20000 [-v seed=1] -f bench/make-dataset.awk > data.csv
BEGIN {
  srand(seed ? seed : 1)
  print "ID,TIME,EVID,AMT,PRODUCT,CMT,CL_mg,V_mg"
  for (i = 1; i <= n; i++) {
    z1 = sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand())
    z2 = sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand())
    cl = sprintf("%.5g", 150 * exp(0.385 * z1)); v = sprintf("%.5g", 1900 * exp(0.294 * z2))
    for (d = 0; d < 35; d++) {
      b = 24 * d
      printf "%d,%d,1,2,kratom-leaf-powder,.,%s,%s\n", i, b + 8, cl, v
      printf "%d,%d,0,.,.,.,%s,%s\n", i, b + 12, cl, v
      printf "%d,%d,1,2,kratom-leaf-powder,.,%s,%s\n", i, b + 14, cl, v
      printf "%d,%d,1,2,kratom-leaf-powder,.,%s,%s\n", i, b + 20, cl, v
    }
  }
}
