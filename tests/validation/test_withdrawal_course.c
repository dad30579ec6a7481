#include "validation.h"
int main(void) { test_init(); return test_finish("test_withdrawal_course"); }
