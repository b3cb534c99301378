#!/usr/bin/env python3
# test-layer-upward: the layer check (tests/layer/meson.build) links each
# layer's library whole with only the layers below.  Link the chardev
# layer that way twice: as built (must link), then with an object that
# calls the system layer added to it (must fail, naming the symbol and
# the file).  That is the error docs/architecture.md shows.
import os
import subprocess
import sys
import tempfile

# argv: CC... -- main.a chardev.a upward.a -- lower libs and flags...
args = sys.argv[1:]
cc = args[:args.index('--')]
rest = args[args.index('--') + 1:]
main_lib, chardev_lib, upward_lib = rest[:3]
lower = rest[4:]

print('TAP version 13')
print('1..2')


def link(whole, out):
    cmd = cc + ['-o', out, '-Wl,--whole-archive'] + whole + \
        ['-Wl,--no-whole-archive'] + lower
    return subprocess.run(cmd, capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'a.out')
    r = link([main_lib, chardev_lib], out)
    if r.returncode == 0:
        print('ok 1 - chardev links against qom, qapi, qobject, util alone')
    else:
        print('not ok 1 - chardev links against qom, qapi, qobject, util alone')
        print('# ' + r.stderr.replace('\n', '\n# '))
    r = link([main_lib, chardev_lib, upward_lib], out)
    want = "undefined reference to `qemu_system_shutdown_request'"
    if r.returncode != 0 and want in r.stderr and 'upward.c' in r.stderr:
        print('ok 2 - a call up to system is a link error naming it')
    else:
        print('not ok 2 - a call up to system is a link error naming it')
        print('# exit %d: %s' % (r.returncode,
                                 r.stderr.replace('\n', '\n# ')))
