/* pk/nca.h - non-compartmental analysis of one concentration-time profile.
 *
 * The summaries a clinical study reports after a single dose, computed the
 * way such studies compute them, so that a simulated profile can be put next
 * to published numbers:
 *   Cmax, Tmax   highest sampled concentration and the first time it occurs
 *   AUClast      area from the first sample to the last positive one, by the
 *                linear-up/log-down trapezoidal rule
 *   lambda_z     terminal rate constant: minus the slope of a least-squares
 *                line through ln(c) against t over the positive samples in a
 *                caller-chosen window (the "terminal phase" a study picks)
 *   t1/2         ln 2 / lambda_z
 *   AUCinf       AUClast + Clast / lambda_z
 * Concentrations may be in any unit; areas are in that unit times hours.
 */
#ifndef PK_NCA_H
#define PK_NCA_H

#include <stddef.h>
#include "pk/error.h"
#include "pk/trajectory.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_nca_result {
  double cmax;           /* highest concentration (unit of c) */
  double tmax_h;         /* first time at which cmax is sampled, h */
  double clast;          /* last positive concentration (unit of c) */
  double tlast_h;        /* time of clast, h */
  double auc_last;       /* AUC from t_h[0] to tlast_h, unit of c times h */
  double lambda_z_per_h; /* terminal rate constant, 1/h, > 0 */
  double t_half_h;       /* terminal half-life ln 2 / lambda_z, h */
  double lambda_r2;      /* coefficient of determination of the log-linear fit */
  size_t lambda_n;       /* number of samples in the regression */
  double auc_inf;        /* AUClast + clast / lambda_z, unit of c times h */
  double lambda_from_h;  /* first and last time of the samples in the regression, h */
  double lambda_to_h;
} pk_nca_result;

/* Computes the summaries of the n samples (t_h[i], c[i]). Requires n >= 2,
 * finite strictly increasing times, finite concentrations >= 0 with at least
 * one > 0, and a window lambda_from_h < lambda_to_h (inclusive bounds)
 * holding at least 3 samples with c > 0 whose log-linear fit has a negative
 * slope. Returns PK_ERR_INVALID (with the reason in err) otherwise, leaving
 * *out unspecified. The area starts at t_h[0]: for a dose at time 0 the
 * first sample should be at 0. */
PK_API pk_status pk_nca_compute(const double *t_h, const double *c, size_t n,
                                double lambda_from_h, double lambda_to_h, pk_nca_result *out,
                                pk_error *err);

/* Only Cmax, Tmax, Clast, Tlast and AUClast (the terminal fields NaN, 0
 * samples), with the same requirements on the samples. */
PK_API pk_status pk_nca_exposure(const double *t_h, const double *c, size_t n,
                                 pk_nca_result *out, pk_error *err);
/* The same with the terminal window chosen from the data, as NCA software
 * does by default ("best fit"): among the last k samples with c > 0 after
 * Tmax and at or after min_from_h (k = 3, 4, ...), the regression with the
 * largest adjusted r^2 (1 - (1 - r^2)(k - 1)/(k - 2)); of those within 1e-4 of
 * it, the one with the most samples; it must have a negative slope.
 * PK_ERR_INVALID when fewer than 3 such samples exist or none declines. */
PK_API pk_status pk_nca_compute_auto(const double *t_h, const double *c, size_t n,
                                     double min_from_h, pk_nca_result *out, pk_error *err);
/* The same for the column named `column` (e.g. "C_mg") of a trajectory,
 * against its time_h column. PK_ERR_INVALID if the column does not exist. */
PK_API pk_status pk_nca_compute_column(const pk_trajectory *t, const char *column,
                                       double lambda_from_h, double lambda_to_h,
                                       pk_nca_result *out, pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
