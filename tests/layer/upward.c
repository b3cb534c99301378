/*
 * A deliberate layer violation for test-layer-upward: code that, were it
 * in the chardev layer, would call the system layer directly (what the
 * mux's Ctrl-A x did before it got a hook).  Never linked into qcore.
 */
#include "qcore/osdep.h"
#include "qcore/runstate.h"

void layer_upward_quit(void);

void layer_upward_quit(void)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}
