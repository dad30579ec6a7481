/* pk/pk.h - umbrella header for libpk. */
#ifndef PK_PK_H
#define PK_PK_H
#include "pk/version.h"
#include "pk/error.h"
#include "pk/input.h"
#include "pk/receptor.h"
#include "pk/model.h"
#include "pk/regimen.h"
#include "pk/trajectory.h"
#include "pk/sim.h"
#include "pk/scenario.h"
#include "pk/nca.h"
#include "pk/catalog.h"
#include "pk/dataset.h"
#include "pk/taper.h"
#include "pk/population.h"
#include "pk/batch.h"
#include "pk/output.h"
#include "pk/npy.h"
#endif
