#!/usr/bin/env bash
# workflow.sh - the researcher's command-line workflow: settings (--set),
# NCA, units and formats, run metadata, exact extrema and curves.
#
# usage: workflow.sh PK SOURCE_DIR CASE
#
#   settings  --set changes a parameter, a dose, a product's content or any
#             scenario key; checked against closed forms of the linear
#             model (doses and contents scale concentrations exactly), a
#             scenario file saying the same, and bad settings refused with
#             the setting named and no output written
#   formats   --units ng/mL and ug/L against the molecular weights of the
#             model files; JSON output holding the same numbers; the
#             metadata sidecar with the SHA-256 of every input as sha256sum
#             gives it, none with --no-metadata or on standard output, and
#             a sidecar that would overwrite an input refused
#   nca       pk nca against the closed form of a one-compartment oral dose
#             (Cmax, Tmax from the continuous solution; lambda_z = CL/V;
#             AUCinf = dose/CL), sampled extrema equal to the CSV's maximum,
#             a CSV input equal to the scenario run, dosing intervals, units,
#             JSON, and bad trajectory CSVs refused with file and line
#   curve     pk curve conc against the receptor model's closed forms (one
#             ligand: occ = u/(K+u), E = tau u/(K + (1+tau) u); a mixture);
#             pk curve dose: the day-mean concentration at steady state is
#             F dose per day / (CL 24 h) exactly, linear in dose, trough <=
#             mean <= peak
#   summary   pk population --summary-percentiles: n, mean and the 5/50/95th
#             percentiles of every summary column equal those computed here
#             from the summary CSV (sorted, R's type 7)
#   batch     pk population/sweep --exact-extrema --nca: the typical subject's
#             Cmax, Tmax, AUCinf, lambda_z and t1/2, and the first and last
#             dosing intervals' Cmax, Tmax and AUC, equal pk nca's on the
#             same scenario; every subject's continuous maxima at or above
#             the grid's (7OH's peak is narrow: some well above); the
#             metadata sidecar says what the summary holds and the seed
#   options   -o - is standard output for every command that writes a table
#             (no file named '-'); a mistyped option gets "did you mean";
#             pk taper's grid errors name the dose unit
# Exit status: 0 pass, 1 fail, 77 skipped.
set -u
PK=$1
SRC=$2
CASE=$3
GOOD=$SRC/tests/data/good
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-workflow-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_GNUPLOT
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run() { # run NAME ARGS...: exit status in $rc, stdout/stderr in $WORK/NAME.out/.err
  local name=$1
  shift
  "$PK" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
}
ok() { # ok NAME WHAT: the last run succeeded
  [ "$rc" -eq 0 ] || { fail "$2: exit status $rc"; cat "$WORK/$1.err" >&2; }
}
refused() { # refused NAME WHAT TEXT...: exit 1, nothing on stdout, every TEXT on stderr
  local name=$1 what=$2
  shift 2
  [ "$rc" -eq 1 ] || fail "$what: exit status $rc, expected 1"
  [ -s "$WORK/$name.out" ] && fail "$what: wrote to standard output"
  for t in "$@"; do
    grep -qF -- "$t" "$WORK/$name.err" || fail "$what: standard error lacks '$t': $(cat "$WORK/$name.err")"
  done
}
col() { # col FILE NAME: index (1-based) of column NAME in FILE's header
  head -1 "$1" | tr ',' '\n' | grep -nx -- "$2" | cut -d: -f1
}
# ratio FILE_A FILE_B COLUMN WANT TOL WHAT: every row with A > 1e-6 has B/A = WANT within TOL
ratio() {
  local ca cb
  ca=$(col "$1" "$3")
  cb=$(col "$2" "$3")
  [ -n "$ca" ] && [ -n "$cb" ] || { fail "$6: no column $3"; return; }
  paste -d, <(cut -d, -f"$ca" "$1") <(cut -d, -f"$cb" "$2") | awk -F, -v want="$4" -v tol="$5" '
    NR > 1 && $1 > 1e-6 { n++; r = $2 / $1; d = r - want; if (d < 0) d = -d
                          if (d > tol * want) { bad++; if (bad < 3) print "row " NR ": " $1 " -> " $2 } }
    END { if (n < 10 || bad) { print n " rows compared, " bad+0 " off"; exit 1 } }' >"$WORK/ratio.log" ||
    fail "$6: $(cat "$WORK/ratio.log")"
}

case_settings() {
  local S=$GOOD/two-days.json
  run base simulate "$S" -o "$WORK/base.csv"
  ok base "the fixture"
  # a dose multiplier: a linear model's concentrations double exactly
  run dose simulate "$S" --set dose=2 -o "$WORK/dose.csv"
  ok dose "--set dose=2"
  ratio "$WORK/base.csv" "$WORK/dose.csv" C_mg 2 1e-9 "--set dose=2, C_mg"
  ratio "$WORK/base.csv" "$WORK/dose.csv" C_7oh 2 1e-9 "--set dose=2, C_7oh"
  # the dose of one entry, by its key path: 3 g instead of 2 g
  run dose_g simulate "$S" --set 'dosing[0].dose_g=3' -o "$WORK/dose_g.csv"
  ok dose_g "--set dosing[0].dose_g=3"
  ratio "$WORK/base.csv" "$WORK/dose_g.csv" C_mg 1.5 1e-9 "dosing[0].dose_g=3, C_mg"
  # the product's content: mitragynine doubles, the leaf's own 7OH does not
  run content simulate "$S" --set kratom-leaf-powder.content.mitragynine=0.026 -o "$WORK/content.csv"
  ok content "--set kratom-leaf-powder.content.mitragynine"
  ratio "$WORK/base.csv" "$WORK/content.csv" C_mg 2 1e-9 "content x2, C_mg"
  awk -F, -v c="$(col "$WORK/content.csv" C_7oh)" 'NR==FNR { if (FNR > 1) a[FNR] = $c; next }
    FNR > 1 && a[FNR] > 1e-6 { r = $c / a[FNR]; if (r < 1.5 || r > 2 + 1e-9) bad++; if (r < 1.95) below++ }
    END { exit (bad || below < 1) ? 1 : 0 }' "$WORK/base.csv" "$WORK/content.csv" ||
    fail "content x2: C_7oh should rise by less than twice (the leaf's 7OH is unchanged)"
  # the same content in a scenario file (subject.overrides of a product)
  run rich simulate "$GOOD/two-days-rich-leaf.json" -o "$WORK/rich.csv"
  ok rich "a product content override in the scenario"
  cmp -s "$WORK/content.csv" "$WORK/rich.csv" ||
    fail "--set kratom-leaf-powder.content.mitragynine=0.026 and the scenario override differ"
  # compound parameters: without its peripheral flows mitragynine is one
  # compartment, and halving its clearance doubles its AUC (F dose / CL)
  local one=(--set mg.Q1=0 --set output.duration_days=10 --set output.step_h=0.25)
  run cl simulate "$S" "${one[@]}" --set mitragynine.CL=30 -o "$WORK/cl.csv"
  ok cl "--set mitragynine.CL=30"
  run cl2 simulate "$S" "${one[@]}" --set mg.CL=60 -o "$WORK/cl2.csv"
  ok cl2 "--set mg.CL=60"
  auc() { awk -F, -v c="$(col "$1" C_mg)" 'NR > 2 { a += ($1 - t) * ($c + p) / 2 } NR > 1 { t = $1; p = $c } END { printf "%.10g", a }' "$1"; }
  awk -v a="$(auc "$WORK/cl2.csv")" -v b="$(auc "$WORK/cl.csv")" 'BEGIN { r = b / a; exit (r > 1.995 && r < 2.005) ? 0 : 1 }' ||
    fail "AUC(CL 30) / AUC(CL 60) = $(auc "$WORK/cl.csv") / $(auc "$WORK/cl2.csv"), expected 2 (dose/CL)"
  # a scenario key: two days at 1 h are 49 rows; 1 day 25
  run days simulate "$S" --set output.duration_days=1 -o "$WORK/days.csv"
  ok days "--set output.duration_days=1"
  [ "$(wc -l <"$WORK/days.csv")" -eq 26 ] || fail "output.duration_days=1: $(wc -l <"$WORK/days.csv") lines, expected 26"
  # later settings win
  run twice simulate "$S" --set dose=5 --set 'dosing[0].dose_g=1' --set 'dosing[0].dose_g=3' -o "$WORK/twice.csv"
  ok twice "repeated settings"
  ratio "$WORK/base.csv" "$WORK/twice.csv" C_mg 7.5 1e-9 "dose=5 and dose_g 1 then 3"
  # the same in pk sweep: a content axis scales Cmax linearly
  run sweep sweep "$S" --param kratom-leaf-powder.content.mg=0.0065,0.013,0.026 -o "$WORK/sweep.csv" -q
  ok sweep "a content axis in pk sweep"
  awk -F, -v c="$(col "$WORK/sweep.csv" Cmax_mg)" 'NR > 1 { v[NR] = $c } END {
      r1 = v[3] / v[2]; r2 = v[4] / v[3]
      exit (r1 > 1.999999 && r1 < 2.000001 && r2 > 1.999999 && r2 < 2.000001) ? 0 : 1 }' "$WORK/sweep.csv" ||
    fail "sweep over content: Cmax_mg should double with each level: $(cut -d, -f1-6 "$WORK/sweep.csv")"
  run sweepset sweep "$S" --param dose=1,2 --set kratom-leaf-powder.content.mg=0.026 -o "$WORK/sweepset.csv" -q
  ok sweepset "--set in pk sweep"
  awk -F, -v c="$(col "$WORK/sweepset.csv" Cmax_mg)" -v d="$(col "$WORK/sweep.csv" Cmax_mg)" \
    'NR == FNR { if (FNR == 4) want = $d; next } FNR == 2 { got = $c } END { r = got / want; exit (r > 0.999999 && r < 1.000001) ? 0 : 1 }' \
    "$WORK/sweep.csv" "$WORK/sweepset.csv" || fail "--set content in pk sweep differs from the content axis"
  # bad settings: refused, named, nothing written
  run bad1 simulate "$S" --set mitragynine.CLX=3 -o "$WORK/bad.csv"
  refused bad1 "unknown parameter" "setting 'mitragynine.CLX=3'" "unknown parameter 'CLX'"
  run bad2 simulate "$S" --set mitragynine.CL=fast -o "$WORK/bad.csv"
  refused bad2 "not a number" "setting 'mitragynine.CL=fast'" "expected a finite number"
  run bad3 simulate "$S" --set 'dosing[4].dose_g=1' -o "$WORK/bad.csv"
  refused bad3 "index out of range" "two-days.json" "'dosing' has 1 entry"
  run bad4 simulate "$S" --set 'dosing[0].dose_g=-1' -o "$WORK/bad.csv"
  refused bad4 "value out of range" "dosing[0].dose_g" "(the value of the setting 'dosing[0].dose_g=-1')"
  run bad5 simulate "$S" --set kratom-leaf-powder.content.mg=1.5 -o "$WORK/bad.csv"
  refused bad5 "content above 1 w/w" "mass fraction in [0, 1]"
  run bad6 simulate "$S" --set novalue -o "$WORK/bad.csv"
  [ "$rc" -eq 2 ] || fail "--set without '=': exit status $rc, expected 2"
  # a dose beyond PK_MAX_DOSE_MG (once minutes of quadrature) is refused at once
  run bad8 simulate "$S" --set 'dosing[0].dose_g=1e60' -o "$WORK/bad.csv"
  refused bad8 "a dose of 1e60 g" "at most 1e+09 mg"
  run bad9 simulate "$S" --set dose=1e60 -o "$WORK/bad.csv"
  refused bad9 "a multiplier of 1e60" "at most 1e+09 mg"
  run bad7 taper "$S" --max-withdrawal 0.05 --set dose=2
  refused bad7 "a dose multiplier in pk taper" "does not carry over"
  [ -e "$WORK/bad.csv" ] && fail "a refused setting left $WORK/bad.csv"
}

mw_of() { # mw_of MODEL_FILE: its MW value
  sed -n 's/.*"MW": *{"value": *\([0-9.]*\).*/\1/p' "$1" | head -1
}

case_formats() {
  local S=$GOOD/two-days.json M=$SRC/models/compounds/linear
  local mw_mg mw_7oh
  mw_mg=$(mw_of "$M/mitragynine.json")
  mw_7oh=$(mw_of "$M/7-hydroxymitragynine.json")
  [ -n "$mw_mg" ] && [ -n "$mw_7oh" ] || fail "no MW in the model files"
  run nm simulate "$S" -o "$WORK/nm.csv"
  ok nm "nM"
  run ng simulate "$S" --units ng/mL -o "$WORK/ng.csv"
  ok ng "--units ng/mL"
  run ug simulate "$S" --units ug/L -o "$WORK/ug.csv"
  ok ug "--units ug/L"
  head -1 "$WORK/ng.csv" | grep -q '^time_h,C_mg_ngmL,C_7oh_ngmL,ce_mg_ngmL,ce_7oh_ngmL,occ,' ||
    fail "--units ng/mL: header $(head -1 "$WORK/ng.csv")"
  head -1 "$WORK/ug.csv" | grep -q '^time_h,C_mg_ugL,C_7oh_ugL,' || fail "--units ug/L: header $(head -1 "$WORK/ug.csv")"
  # ng/mL = nM * MW / 1000, column by column; occupancy untouched
  paste -d, "$WORK/nm.csv" "$WORK/ng.csv" | awk -F, -v a="$mw_mg" -v b="$mw_7oh" '
    NR == 1 { n = NF / 2; next }
    { for (j = 2; j <= n; j++) { f = (j == 2 || j == 4) ? a / 1000 : (j == 3 || j == 5) ? b / 1000 : 1
        x = $j * f; y = $(j + n); d = x - y; if (d < 0) d = -d
        if (d > 1e-11 * (x < 0 ? -x : x) + 1e-300) { bad++; if (bad < 3) print "row " NR " col " j ": " x " vs " y } } }
    END { exit bad ? 1 : 0 }' >"$WORK/units.log" || fail "--units ng/mL is not nM * MW / 1000: $(cat "$WORK/units.log")"
  cmp -s <(tail -n +2 "$WORK/ng.csv") <(tail -n +2 "$WORK/ug.csv") || fail "ng/mL and ug/L differ in value"
  # JSON: the same numbers, column by column
  run js simulate "$S" --units ng/mL -o "$WORK/run.json"
  ok js "-o FILE.json"
  [ -e "$WORK/run.meta.json" ] && fail "a JSON output got a sidecar (its metadata is inside)"
  grep -q '"metadata": {' "$WORK/run.json" && grep -q '{"name": "C_mg_ngmL", "unit": "ng/mL"}' "$WORK/run.json" ||
    fail "JSON output lacks metadata or column units"
  local want got
  want=$(cut -d, -f2 "$WORK/ng.csv" | tail -n +2 | paste -sd, -)
  got=$(sed -n 's/^  "C_mg_ngmL": \[\(.*\)\],\{0,1\}$/\1/p' "$WORK/run.json")
  [ "$want" = "$got" ] || fail "JSON C_mg_ngmL differs from the CSV column"
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["data"]["time_h"]) == 49 and d["columns"][0]["unit"] == "h"' "$WORK/run.json" ||
      fail "JSON output does not parse as the documented structure"
  fi
  run jstd simulate "$S" --format json
  ok jstd "--format json to standard output"
  grep -q '"data": {' "$WORK/jstd.out" || fail "--format json wrote no JSON to standard output"
  # the sidecar: digests as sha256sum gives them
  [ -s "$WORK/nm.meta.json" ] || fail "no nm.meta.json beside nm.csv"
  for f in "$S" "$M/mitragynine.json" "$M/7-hydroxymitragynine.json" "$SRC/models/receptors/mu-opioid.json" \
           "$SRC/models/products/kratom-leaf-powder.json"; do
    h=$(sha256sum "$f" | cut -d' ' -f1)
    grep -q "\"sha256\":[[:space:]]*\"$h\"" "$WORK/nm.meta.json" || fail "sidecar lacks the SHA-256 of $(basename "$f")"
  done
  grep -q '"path":[[:space:]]*"exact"' "$WORK/nm.meta.json" || fail "sidecar does not name the solver path"
  run set simulate "$S" --set dose=2 --set 'solver.path="ode"' -o "$WORK/set.csv"
  ok set "settings in the metadata"
  grep -q '"dose=2"' "$WORK/set.meta.json" && grep -q '"rtol":' "$WORK/set.meta.json" ||
    fail "sidecar lacks the settings or the ODE tolerances"
  run nometa simulate "$S" --no-metadata -o "$WORK/nometa.csv"
  ok nometa "--no-metadata"
  [ -e "$WORK/nometa.meta.json" ] && fail "--no-metadata wrote a sidecar"
  # a sidecar that would overwrite an input is refused, the input kept
  mkdir -p "$WORK/in"
  cp "$S" "$WORK/in/x.meta.json"
  sed -i 's#"\.\./\.\./\.\./models#"'"$SRC"'/models#' "$WORK/in/x.meta.json"
  cp "$WORK/in/x.meta.json" "$WORK/in/keep.json"
  run clash simulate "$WORK/in/x.meta.json" -o "$WORK/in/x.csv"
  refused clash "a sidecar naming the scenario" "x.meta.json"
  cmp -s "$WORK/in/x.meta.json" "$WORK/in/keep.json" || fail "the scenario was overwritten by a sidecar"
  [ -e "$WORK/in/x.csv" ] && fail "a refused run wrote x.csv"
  run badu simulate "$S" --units mg/L
  [ "$rc" -eq 2 ] || fail "--units mg/L: exit status $rc, expected 2"
}

field() { # field FILE ROWMATCH NAME: the value of column NAME in the first row matching ROWMATCH
  local c
  c=$(col "$1" "$3")
  grep -m1 -- "$2" "$1" | cut -d, -f"$c"
}
near() { # near GOT WANT RELTOL WHAT
  awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; s = w < 0 ? -w : w; exit (g != "" && d <= t * s) ? 0 : 1 }' ||
    fail "$4: got '$1', expected $2 (relative tolerance $3)"
}

case_nca() {
  local S=$GOOD/two-days.json M=$SRC/models/compounds/linear
  local mw ka V CL
  mw=$(mw_of "$M/mitragynine.json")
  ka=$(sed -n 's/.*"ka": *{"value": *\([0-9.]*\).*/\1/p' "$M/mitragynine.json" | head -1)
  V=$(sed -n 's/.*"V": *{"value": *\([0-9.]*\).*/\1/p' "$M/mitragynine.json" | head -1)
  CL=$(sed -n 's/.*"CL": *{"value": *\([0-9.]*\).*/\1/p' "$M/mitragynine.json" | head -1)
  # without its peripheral flow mitragynine is one compartment: 26 mg (2 g at
  # 1.3 % w/w, read from the product file) by mouth at 8 h, F 1, no lag
  local w
  w=$(sed -n 's/.*"mitragynine": *{"value": *\([0-9.]*\), "unit": "w\/w".*/\1/p' "$SRC/models/products/kratom-leaf-powder.json" | head -1)
  local one=(--set mg.Q1=0 --columns C_mg)
  read -r tmax cmax lz auc <<<"$(awk -v ka="$ka" -v V="$V" -v CL="$CL" -v mw="$mw" -v w="$w" 'BEGIN {
      D = 2000 * w / mw * 1000; ke = CL / V; tm = log(ka / ke) / (ka - ke)
      c = 1000 * D / V * ka / (ka - ke) * (exp(-ke * tm) - exp(-ka * tm))
      printf "%.12g %.12g %.12g %.12g", 8 + tm, c, ke, 1000 * D / CL }')"
  run c nca "$S" "${one[@]}" -o "$WORK/c.csv"
  ok c "pk nca on a scenario"
  near "$(field "$WORK/c.csv" '^C_mg,all' Cmax)" "$cmax" 1e-8 "continuous Cmax (closed form)"
  near "$(field "$WORK/c.csv" '^C_mg,all' Tmax_h)" "$tmax" 2e-7 "continuous Tmax (closed form ln(ka/ke)/(ka-ke) after the dose)"
  [ "$(field "$WORK/c.csv" '^C_mg,all' extrema)" = continuous ] || fail "extrema column is not 'continuous'"
  # the fixed terminal window: exactly ke; the automatic one: after Tmax, close to it
  run lw nca "$S" "${one[@]}" --lambda-window 24:48 --set output.step_h=0.05 -o "$WORK/lw.csv"
  ok lw "--lambda-window"
  near "$(field "$WORK/lw.csv" '^C_mg,all' lambda_z_per_h)" "$lz" 1e-8 "lambda_z over 24-48 h = CL/V"
  near "$(field "$WORK/lw.csv" '^C_mg,all' t_half_h)" "$(awk -v k="$lz" 'BEGIN { printf "%.12g", log(2) / k }')" 1e-8 "t_half = ln 2 / lambda_z"
  near "$(field "$WORK/lw.csv" '^C_mg,all' AUCinf)" "$auc" 1e-3 "AUCinf = dose / CL (trapezoids at 0.05 h)"
  local lf
  lf=$(field "$WORK/c.csv" '^C_mg,all' lambda_from_h)
  awk -v a="$lf" -v t="$tmax" 'BEGIN { exit (a > t) ? 0 : 1 }' || fail "automatic terminal window starts at $lf h, not after Tmax $tmax h"
  near "$(field "$WORK/c.csv" '^C_mg,all' lambda_z_per_h)" "$lz" 1e-3 "automatic lambda_z"
  # sampled extrema: the CSV's own maximum; a CSV input gives the same
  run s nca "$S" "${one[@]}" --sampled -o "$WORK/s.csv"
  ok s "--sampled"
  run traj simulate "$S" --set mg.Q1=0 --no-metadata -o "$WORK/traj.csv"
  read -r gt gc <<<"$(awk -F, 'NR > 1 && $2 > m { m = $2; t = $1 } END { print t, m }' "$WORK/traj.csv")"
  near "$(field "$WORK/s.csv" '^C_mg,all' Cmax)" "$gc" 1e-9 "sampled Cmax = the CSV's maximum"
  near "$(field "$WORK/s.csv" '^C_mg,all' Tmax_h)" "$gt" 1e-12 "sampled Tmax"
  awk -v s="$(field "$WORK/s.csv" '^C_mg,all' Cmax)" -v c="$cmax" 'BEGIN { exit (s < c) ? 0 : 1 }' ||
    fail "the sampled Cmax is not below the continuous one"
  run fromcsv nca "$WORK/traj.csv" --columns C_mg -o "$WORK/fromcsv.csv"
  ok fromcsv "pk nca on a trajectory CSV"
  [ "$(cut -d, -f1-17 "$WORK/fromcsv.csv")" = "$(cut -d, -f1-17 "$WORK/s.csv")" ] ||
    fail "a CSV input and --sampled on its scenario differ"
  # dosing intervals: doses at 8, 20 and 32 h
  run iv nca "$S" --set 'dosing[0].times_h=[8,20,32]' -o "$WORK/iv.csv"
  ok iv "three doses"
  [ "$(grep '^C_mg,first' "$WORK/iv.csv" | cut -d, -f3,4)" = "8,20" ] || fail "first interval is not 8-20 h: $(grep '^C_mg,first' "$WORK/iv.csv")"
  [ "$(grep '^C_mg,last' "$WORK/iv.csv" | cut -d, -f3,4)" = "32,48" ] || fail "last interval is not 32-48 h"
  [ "$(grep -c '^C_7oh,' "$WORK/iv.csv")" -eq 3 ] || fail "C_7oh lacks its three rows"
  # units: Cmax and AUC times MW / 1000
  run ng nca "$S" "${one[@]}" --units ng/mL -o "$WORK/ng.csv"
  ok ng "--units ng/mL"
  near "$(field "$WORK/ng.csv" '^C_mg,all' Cmax)" "$(awk -v c="$cmax" -v m="$mw" 'BEGIN { printf "%.12g", c * m / 1000 }')" 1e-8 "Cmax in ng/mL"
  near "$(field "$WORK/ng.csv" '^C_mg,all' AUC)" "$(awk -v c="$(field "$WORK/c.csv" '^C_mg,all' AUC)" -v m="$mw" 'BEGIN { printf "%.12g", c * m / 1000 }')" 1e-8 "AUC in ng/mL h"
  [ "$(field "$WORK/ng.csv" '^C_mg,all' unit)" = ng/mL ] || fail "unit column is not ng/mL"
  # JSON
  run js nca "$S" -o "$WORK/nca.json"
  ok js "pk nca -o FILE.json"
  grep -q '"interval":[[:space:]]*"all"' "$WORK/nca.json" && grep -q '"metadata":' "$WORK/nca.json" || fail "JSON table lacks rows or metadata"
  # bad inputs
  printf 'time_h,C_mg\n0,1\n1,x\n' >"$WORK/bad.csv"
  run b1 nca "$WORK/bad.csv"
  refused b1 "a bad number" "bad.csv" "line 3, column 2 (C_mg): 'x' is not a finite number"
  printf 'time_h,C_mg\n0,1\n0,2\n' >"$WORK/bad2.csv"
  run b2 nca "$WORK/bad2.csv"
  refused b2 "times not increasing" "line 3: time_h 0 does not follow 0"
  printf 'ID,time_h,C_mg\n1,0,1\n' >"$WORK/bad3.csv"
  run b3 nca "$WORK/bad3.csv"
  refused b3 "an ID column" "the first column is 'ID'; expected time_h"
  run b4 nca "$WORK/traj.csv" --units ng/mL
  refused b4 "units without a scenario" "needs molecular weights"
  run b5 nca "$S" --columns C_xx
  refused b5 "an unknown column" "no column 'C_xx'"
}

param_of() { # param_of FILE KEY: the value of a model parameter
  sed -n 's/.*"'"$2"'": *{"value": *\([0-9.e-]*\).*/\1/p' "$1" | head -1
}

case_curve() {
  local S=$GOOD/two-days.json M=$SRC/models/compounds/linear
  local K tau fu K7 tau7 fu7
  K=$(param_of "$M/mitragynine.json" K)
  tau=$(param_of "$M/mitragynine.json" tau)
  fu=$(param_of "$M/mitragynine.json" fu)
  K7=$(param_of "$M/7-hydroxymitragynine.json" K)
  tau7=$(param_of "$M/7-hydroxymitragynine.json" tau)
  fu7=$(param_of "$M/7-hydroxymitragynine.json" fu)
  : "${fu:=1}" "${fu7:=1}"
  run conc curve conc "$S" --range 0.5:50000:21 --mix mg=1,7oh=0.25 -o "$WORK/conc.csv"
  ok conc "pk curve conc"
  [ "$(grep -c '^mg,' "$WORK/conc.csv")" -eq 21 ] && [ "$(grep -c '^mix,' "$WORK/conc.csv")" -eq 21 ] ||
    fail "pk curve conc: expected 21 rows per curve"
  awk -F, -v K="$K" -v tau="$tau" -v fu="$fu" -v K7="$K7" -v t7="$tau7" -v f7="$fu7" '
    function chk(g, w, what) { d = g - w; if (d < 0) d = -d; if (d > 1e-10 * (w < 0 ? -w : w) + 1e-15) { bad++; print what ": " g " vs " w } }
    $1 == "mg" { u = fu * $2; chk($3, u / (K + u), "occ mg"); chk($4, tau * u / (K + (1 + tau) * u), "E mg") }
    $1 == "mix" { x = fu * $2 / K; y = f7 * 0.25 * $2 / K7; den = 1 + x + y
                  chk($3, (x + y) / den, "occ mix"); chk($5, x / den, "occ_mg mix")
                  chk($4, (tau * x + t7 * y) / (den + tau * x + t7 * y), "E mix") }
    END { exit bad ? 1 : 0 }' "$WORK/conc.csv" >"$WORK/conc.log" || fail "pk curve conc against the closed forms: $(head -3 "$WORK/conc.log")"
  # dose: the linear model at steady state
  local mw w CL
  mw=$(mw_of "$M/mitragynine.json")
  CL=$(param_of "$M/mitragynine.json" CL)
  w=$(sed -n 's/.*"mitragynine": *{"value": *\([0-9.]*\), "unit": "w\/w".*/\1/p' "$SRC/models/products/kratom-leaf-powder.json" | head -1)
  run dose curve dose "$S" --range 0:3:4 -o "$WORK/dose.csv" \
    --set 'dosing[0]={"product": "kratom-leaf-powder", "dose_g": 2, "times_of_day_h": [8, 20], "days": [1, 2]}'
  ok dose "pk curve dose"
  awk -F, -v mw="$mw" -v w="$w" -v CL="$CL" -v m="$(col "$WORK/dose.csv" C_mg_mean)" \
      -v tr="$(col "$WORK/dose.csv" C_mg_trough)" -v pk="$(col "$WORK/dose.csv" C_mg_peak)" \
      -v om="$(col "$WORK/dose.csv" occ_mean)" -v ot="$(col "$WORK/dose.csv" occ_trough)" -v op="$(col "$WORK/dose.csv" occ_peak)" '
    NR > 1 { want = 1000 * (2 * $1 * 1000 * w * 1000 / mw) / (CL * 24); d = $m - want; if (d < 0) d = -d
             if (d > 1e-6 * want + 1e-12) { bad++; print "dose " $1 ": mean " $m " vs " want }
             if (!($tr <= $m && $m <= $pk && $ot <= $om && $om <= $op)) { bad++; print "dose " $1 ": trough/mean/peak out of order" } }
    END { exit bad ? 1 : 0 }' "$WORK/dose.csv" >"$WORK/dose.log" || fail "pk curve dose: $(head -3 "$WORK/dose.log")"
  run badk curve shape "$S"
  [ "$rc" -eq 2 ] || fail "pk curve shape: exit status $rc, expected 2"
  run badr curve conc "$S" --range 0:10:5
  refused badr "a log axis from 0" "needs LO > 0"
  run badm curve conc "$S" --mix morphine=1
  refused badm "an unknown ligand" "no compound 'morphine'"
}

case_summary() {
  local S=$GOOD/two-days.json
  run pop population "$S" --spec "$SRC/tests/data/population/kratom-pop.json" -n 101 --seed 7 -q \
    -o "$WORK/sum.csv" --summary-percentiles "$WORK/sp.csv"
  ok pop "--summary-percentiles"
  local name c want got
  for name in Cmax_mg AUC_7oh occ_max W_max mg.CL; do
    c=$(col "$WORK/sum.csv" "$name")
    [ -n "$c" ] || { fail "no column $name in the summary"; continue; }
    want=$(awk -F, 'NR > 1 && $2 == "ok"' "$WORK/sum.csv" | cut -d, -f"$c" | sort -g | awk '
      { v[NR] = $1; s += $1 } END { n = NR
        for (k = 1; k <= 3; k++) { p = (k == 1 ? 5 : k == 2 ? 50 : 95); h = (n - 1) * p / 100; lo = int(h)
          q[k] = v[lo + 1] + (h - lo) * (v[lo + 2 > n ? n : lo + 2] - v[lo + 1]) }
        printf "%d %.10g %.10g %.10g %.10g", n, s / n, q[1], q[2], q[3] }')
    got=$(grep "^$name," "$WORK/sp.csv" | awk -F, '{ printf "%d %.10g %.10g %.10g %.10g", $2, $3, $5, $6, $7 }')
    set -- $want
    local w=("$@")
    set -- $got
    local g=("$@")
    [ "${w[0]}" = "${g[0]}" ] || fail "$name: n ${g[0]}, expected ${w[0]}"
    for k in 1 2 3 4; do near "${g[$k]}" "${w[$k]}" 1e-9 "$name statistic $k"; done
  done
  run bad population "$S" -n 4 --shard 0/2 --summary-percentiles "$WORK/x.csv"
  [ "$rc" -eq 2 ] || fail "--summary-percentiles with --shard: exit status $rc, expected 2"
}

case_batch() {
  local S=$SRC/models/scenarios/kratom-taper.json
  run sw sweep "$S" --param dose=1 --exact-extrema --nca -q -o "$WORK/sw.csv"
  ok sw "pk sweep --exact-extrema --nca"
  run nca nca "$S" -o "$WORK/nca.csv"
  ok nca "pk nca"
  # same_as_nca INTERVAL SUMMARY_COLUMN:NCA_COLUMN...: the sweep's value of each
  # summary column equals pk nca's on the row of INTERVAL (C_<id>,<interval>)
  same_as_nca() {
    local row=$1 pair name from got want
    shift
    for pair in "$@"; do
      name=${pair%%:*}
      from=${pair#*:}
      got=$(cut -d, -f"$(col "$WORK/sw.csv" "$name")" "$WORK/sw.csv" | sed -n 2p)
      want=$(grep "^$row," "$WORK/nca.csv" | cut -d, -f"$(col "$WORK/nca.csv" "$from")")
      near "$got" "$want" 1e-8 "sweep $name against pk nca's $row $from"
    done
  }
  local id iv
  for id in mg 7oh; do
    same_as_nca "C_$id,all" Cmax_$id:Cmax Tmax_$id:Tmax_h AUCinf_$id:AUCinf \
      lambda_z_$id:lambda_z_per_h t_half_$id:t_half_h AUC_$id:AUC
    for iv in first last; do
      same_as_nca "C_$id,$iv" Cmax_${iv}_$id:Cmax Tmax_${iv}_$id:Tmax_h AUC_${iv}_$id:AUC
    done
  done
  run g population "$S" -n 12 --seed 3 -q -o "$WORK/g.csv"
  ok g "pk population"
  run e population "$S" -n 12 --seed 3 -q --exact-extrema -o "$WORK/e.csv"
  ok e "pk population --exact-extrema"
  local n_ok
  n_ok=$(awk -F, 'NR > 1 && $2 == "ok"' "$WORK/e.csv" | wc -l)
  [ "$n_ok" -eq 12 ] || fail "--exact-extrema: $n_ok of 12 subjects ok"
  for name in Cmax_mg Cmax_7oh occ_max E_max W_max; do
    paste -d, <(cut -d, -f"$(col "$WORK/g.csv" "$name")" "$WORK/g.csv") \
              <(cut -d, -f"$(col "$WORK/e.csv" "$name")" "$WORK/e.csv") |
      awk -F, -v name="$name" 'NR > 1 { n++; if (!($2 >= $1)) { bad++; print name " row " NR ": " $2 " < grid " $1 }
                                         if ($2 > 1.05 * $1) up++ }
        END { if (n != 12 || bad) exit 1; if (name == "Cmax_7oh" && up < 1) { print "no 7OH peak 5 % above the grid"; exit 1 } }' \
        >"$WORK/cmp.log" || fail "$name: $(cat "$WORK/cmp.log")"
  done
  [ -f "$WORK/e.meta.json" ] || fail "no sidecar e.meta.json"
  grep -q '"seed":[[:space:]]*3' "$WORK/e.meta.json" || fail "the sidecar lacks the seed"
  grep -q '"extrema":[[:space:]]*"continuous' "$WORK/e.meta.json" || fail "the sidecar does not say the extrema are continuous"
  grep -q '"extrema":[[:space:]]*"output grid"' "$WORK/g.meta.json" || fail "the grid run's sidecar does not say so"
  run nm population "$S" -n 2 -q --no-metadata -o "$WORK/nm.csv"
  ok nm "--no-metadata"
  [ -e "$WORK/nm.meta.json" ] && fail "--no-metadata wrote a sidecar"
  # a sidecar that would overwrite an input is refused
  sed "s|\.\./\.\./\.\./models|$SRC/models|g" "$GOOD/two-days.json" >"$WORK/in.meta.json"
  cp "$WORK/in.meta.json" "$WORK/in.copy"
  run clash sweep "$WORK/in.meta.json" --param dose=1 -q -o "$WORK/in.csv"
  refused clash "a sidecar over the scenario" "in.meta.json"
  cmp -s "$WORK/in.copy" "$WORK/in.meta.json" || fail "the scenario was overwritten by the sidecar"
  [ -e "$WORK/in.csv" ] && fail "a refused run wrote its summary"
}

case_options() {
  local S=$GOOD/two-days.json
  (cd "$WORK" && "$PK" simulate "$S" -o - >sim.out 2>sim.err) ||
    fail "simulate -o -: $(cat "$WORK/sim.err")"
  (cd "$WORK" && "$PK" nca "$S" -o - >nca.out 2>nca.err) || fail "nca -o -: $(cat "$WORK/nca.err")"
  (cd "$WORK" && "$PK" sweep "$S" --param dose=1,2 -q -o - >sw.out 2>sw.err) ||
    fail "sweep -o -: $(cat "$WORK/sw.err")"
  (cd "$WORK" && "$PK" curve conc -o - >cu.out 2>cu.err) || fail "curve -o -: $(cat "$WORK/cu.err")"
  head -c 7 "$WORK/sim.out" | grep -qx "time_h," || fail "simulate -o -: no CSV on standard output"
  head -c 7 "$WORK/nca.out" | grep -qx "column," || fail "nca -o -: no table on standard output"
  [ "$(grep -c ',ok,' "$WORK/sw.out")" -eq 2 ] || fail "sweep -o -: no summary on standard output"
  head -c 6 "$WORK/cu.out" | grep -qx "curve," || fail "curve -o -: no table on standard output"
  [ -e "$WORK/-" ] && fail "-o - wrote a file named '-'"
  ls "$WORK"/*.meta.json >/dev/null 2>&1 && fail "standard output got a metadata sidecar"
  run typo simulate "$S" --outptu x.csv
  [ "$rc" -eq 2 ] || fail "--outptu: exit status $rc, expected 2"
  grep -qF "did you mean --output?" "$WORK/typo.err" || fail "--outptu: no suggestion: $(cat "$WORK/typo.err")"
  run typo2 population "$S" -n 2 --sumary-percentiles x.csv
  grep -qF "did you mean --summary-percentiles?" "$WORK/typo2.err" ||
    fail "--sumary-percentiles: no suggestion: $(cat "$WORK/typo2.err")"
  run grid taper "$SRC/models/scenarios/kratom-taper.json" --max-withdrawal 0.05 --grid 0.3
  refused grid "--grid 0.3" "the start dose 2 g is not a multiple of the dose grid 0.3 g"
  run grid0 taper "$SRC/models/scenarios/kratom-taper.json" --max-withdrawal 0.05 --grid 0
  refused grid0 "--grid 0" "the dose grid must be > 0 g"
}

case "$CASE" in
  options) case_options ;;
  batch) case_batch ;;
  settings) case_settings ;;
  summary) case_summary ;;
  curve) case_curve ;;
  nca) case_nca ;;
  formats) case_formats ;;
  *) echo "unknown case '$CASE'" >&2; exit 1 ;;
esac
finish
