#include "validation.h"
int main(void) { test_init(); return test_finish("test_taper_ranking"); }
