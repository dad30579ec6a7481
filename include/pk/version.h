/* pk/version.h - version and visibility macros. */
#ifndef PK_VERSION_H
#define PK_VERSION_H

#define PK_VERSION_MAJOR 0
#define PK_VERSION_MINOR 1
#define PK_VERSION_PATCH 0
#define PK_VERSION_STRING "0.1.0"

#if defined(PK_BUILDING_LIBRARY) && defined(__GNUC__)
#define PK_API __attribute__((visibility("default")))
#else
#define PK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* The library's version string, e.g. "0.1.0" (may differ from the header's
 * PK_VERSION_STRING when linked against another build). */
PK_API const char *pk_version(void);
#ifdef __cplusplus
}
#endif
#endif
