/* exitcode: ends through sifive_test with (3 << 16) | 0x3333: status 3. */
#include "runtime.h"

int main(void)
{
    puts("exitcode: exiting with status 3");
    return 3;
}
