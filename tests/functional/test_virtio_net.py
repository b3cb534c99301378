"""virtio-net-device with the Linux guest (tests/linux): the features the
driver sees (as QEMU 7.2 shows them), DHCP from user networking, a file
fetched from an HTTP server on the host's loopback through 10.0.2.2, a
guest service reached through hostfwd, two guests on one -netdev socket
wire, set_link as the guest's carrier, and query-rx-filter following the
driver's rx mode.

Traffic stays on this host's loopback (issue 11's rule): restrict=on
wherever the host is not needed, the guest only ever addresses 10.0.2.2
(slirp's alias of 127.0.0.1), hostfwd and the socket netdev bind
127.0.0.1, and every host port is chosen by the kernel and read back."""
import hashlib
import http.server
import os
import re
import threading
import urllib.request

import pytest

from conftest import TIMEOUT
from test_linux import BOOT_TIMEOUT, Console, IMAGE, INITRD, linux_args
from test_net import cmd_named, listening_ports

pytestmark = pytest.mark.skipif(
    not (os.path.exists(IMAGE) and os.path.exists(INITRD)),
    reason='no Linux guest (make linux)')

SMP = 1

# /sys/class/net/eth0/device/features of the same kernel on
# qemu-system-riscv64 7.2 -M virt -cpu rv64,h=off with -netdev user and
# -device virtio-net-device (bit 0 first): MAC, GSO, CTRL_GUEST_OFFLOADS,
# MRG_RXBUF, STATUS, CTRL_VQ/RX/VLAN, GUEST_ANNOUNCE, CTRL_MAC_ADDR and
# the ring features; no checksum or TSO offloads (slirp has no vnet
# header).  Modern (force-legacy=false): VERSION_1 instead of GSO,
# NOTIFY_ON_EMPTY and ANY_LAYOUT.
QEMU_FEATURES_LEGACY = ('0010011000000001111101010001110000000000000000000000'
                        '000000000000')
QEMU_FEATURES_MODERN = ('0010010000000001111101010000110010000000000000000000'
                        '000000000000')


def boot(start, netargs, smp=SMP, extra=()):
    """Boot the guest with @netargs; (Qcore, Console, QMP) at its shell."""
    q = start(linux_args(smp) + list(netargs) + list(extra) + ['-S'],
              base=(), pty=True)
    c = q.qmp()
    c.ok('cont')
    con = Console(q, c)
    con.expect(b'qcore-linux: init ready on %d harts' % smp)
    con.expect(b'linux:/root# ')
    return q, con, c


def ok(con, cmd, timeout=BOOT_TIMEOUT):
    out, status = con.run(cmd, timeout)
    assert status == 0, (cmd, out, con.tail())
    return out


def wait_carrier(con, value):
    """The guest's view of eth0's carrier once it reads @value (the
    config interrupt is handled by a kernel work item: poll for it,
    bounded)."""
    return ok(con, 'i=0; while [ "$(cat /sys/class/net/eth0/carrier)" != %d ]'
              ' && [ $i -lt 200 ]; do i=$((i+1)); sleep 0.05; done; '
              'cat /sys/class/net/eth0/carrier' % value).split()[-1]


# Debian's busybox looks for /etc/udhcpc/default.script by default; the
# guest's init links it to tests/linux/udhcpc.script, so no -s.
UDHCPC = 'udhcpc -i eth0 -n -q'


def named(c, command, name, **args):
    """c.ok() for commands whose argument is called 'name'."""
    r = cmd_named(c, command, name, **args)
    assert 'return' in r, r
    return r['return']


def md5_of(out):
    """The digest md5sum printed (a long command's echo may wrap into
    the output; it holds no 32-digit hex word)."""
    m = re.findall(r'\b([0-9a-f]{32})\b', out)
    assert len(m) == 1, out
    return m[0]


def dhcp(con, dns=None):
    out = ok(con, UDHCPC)
    assert 'lease of 10.0.2.15 obtained from 10.0.2.2' in out, out
    assert 'inet 10.0.2.15/24' in ok(con, 'ip -4 addr show dev eth0')
    # The lease names slirp's DNS proxy (@dns: dns=, 10.0.2.3 by default);
    # with restrict=on (@dns None) libslirp leaves it out, on QEMU 7.2 too.
    assert ok(con, 'cat /etc/resolv.conf') == \
        ('nameserver %s\n' % dns if dns else '')


class HTTPServer:
    """A static file server on 127.0.0.1 (kernel-chosen port)."""

    def __init__(self, directory):
        handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(
            *a, directory=directory, **kw)
        http.server.SimpleHTTPRequestHandler.log_message = \
            lambda *a, **kw: None
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize('legacy', [True, False],
                         ids=['legacy', 'modern'])
def test_guest_sees_qemus_features_and_default_mac(start, legacy):
    extra = [] if legacy else ['-global', 'virtio-mmio.force-legacy=false']
    q, con, c = boot(start, ['-netdev', 'user,id=n0,restrict=on',
                             '-device', 'virtio-net-device,netdev=n0',
                             '-netdev', 'user,id=n1,restrict=on',
                             '-device', 'virtio-net-device,netdev=n1,'
                             'mac=52:54:00:aa:bb:cc'], extra=extra)
    feats = ok(con, 'cat /sys/class/net/eth0/device/features').strip()
    assert feats == (QEMU_FEATURES_LEGACY if legacy
                     else QEMU_FEATURES_MODERN)
    # QEMU's default MAC for the first NIC; the second one's own.
    assert ok(con, 'cat /sys/class/net/eth0/address').strip() == \
        '52:54:00:12:34:56'
    assert ok(con, 'cat /sys/class/net/eth1/address').strip() == \
        '52:54:00:aa:bb:cc'
    info = c.ok('human-monitor-command', **{'command-line': 'info network'})
    assert 'virtio-net-device.0: index=0,type=nic,model=virtio-net-device,' \
        'macaddr=52:54:00:12:34:56' in info, info


def test_dhcp_and_wget_from_a_host_http_server(start, tmpdir_short):
    # 1 MiB: many rx buffers, the backend's queue and its flush.
    blob = os.urandom(1 << 20)
    with open(os.path.join(tmpdir_short, 'blob'), 'wb') as f:
        f.write(blob)
    srv = HTTPServer(tmpdir_short)
    try:
        # The host is needed here (10.0.2.2 -> 127.0.0.1): restrict=off.
        q, con, c = boot(start, ['-netdev', 'user,id=n0',
                                 '-device', 'virtio-net-device,netdev=n0'])
        dhcp(con, '10.0.2.3')
        out = ok(con, 'wget -q -O /tmp/blob http://10.0.2.2:%d/blob && '
                 'md5sum /tmp/blob' % srv.port)
        assert md5_of(out) == hashlib.md5(blob).hexdigest()
    finally:
        srv.close()


def test_host_reaches_a_guest_http_server_through_hostfwd(start):
    q, con, c = boot(start, ['-netdev', 'user,id=n0,restrict=on,'
                             'hostfwd=tcp:127.0.0.1:0-:8080',
                             '-device', 'virtio-net-device,netdev=n0'])
    port = listening_ports(q.pid)
    assert len(port) == 1, port
    dhcp(con)       # restrict=on still serves DHCP, without DNS
    # 512 KiB from the guest: the tx path in bulk.
    ok(con, 'mkdir -p /www && dd if=/dev/urandom of=/www/big bs=1024 '
       'count=512 2>/dev/null && httpd -p 8080 -h /www')
    want = md5_of(ok(con, 'md5sum /www/big'))
    with urllib.request.urlopen('http://127.0.0.1:%d/big' % port[0],
                                timeout=TIMEOUT) as r:
        got = r.read()
    assert len(got) == 512 * 1024
    assert hashlib.md5(got).hexdigest() == want


def test_two_guests_on_a_socket_wire_ping_each_other(start):
    a, ca, _ = boot(start, ['-netdev', 'socket,id=w,listen=127.0.0.1:0',
                            '-device', 'virtio-net-device,netdev=w'])
    port = listening_ports(a.pid)
    assert len(port) == 1, port
    b, cb, _ = boot(start, ['-netdev', 'socket,id=w,connect=127.0.0.1:%d'
                            % port[0],
                            '-device', 'virtio-net-device,netdev=w,'
                            'mac=52:54:00:12:34:57'])
    ok(ca, 'ip addr add 192.168.76.1/24 dev eth0 && ip link set eth0 up')
    ok(cb, 'ip addr add 192.168.76.2/24 dev eth0 && ip link set eth0 up')
    out = ok(cb, 'ping -c 3 -W 10 192.168.76.1')
    assert '3 packets transmitted, 3 packets received' in out, out
    out = ok(ca, 'ping -c 3 -W 10 192.168.76.2')
    assert '3 packets transmitted, 3 packets received' in out, out
    # The neighbour each learnt is the other's MAC.
    assert '52:54:00:12:34:57' in ok(ca, 'ip neigh show 192.168.76.2')


def test_set_link_is_the_guests_carrier(start):
    q, con, c = boot(start, ['-netdev', 'user,id=n0,restrict=on',
                             '-device', 'virtio-net-device,id=nic0,'
                             'netdev=n0'])
    ok(con, 'ip link set eth0 up')
    assert wait_carrier(con, 1) == '1'
    named(c, 'set_link', 'nic0', up=False)
    assert wait_carrier(con, 0) == '0'
    named(c, 'set_link', 'nic0', up=True)
    assert wait_carrier(con, 1) == '1'
    # The backend's link: the card follows it.
    named(c, 'set_link', 'n0', up=False)
    assert wait_carrier(con, 0) == '0'
    named(c, 'set_link', 'n0', up=True)
    assert wait_carrier(con, 1) == '1'
    # And traffic flows again.
    dhcp(con)


def test_query_rx_filter_follows_the_driver(start):
    q, con, c = boot(start, ['-netdev', 'user,id=n0,restrict=on',
                             '-device', 'virtio-net-device,id=nic0,'
                             'netdev=n0'])
    # Before the driver opens the device: QEMU's reset state.
    r = named(c, 'query-rx-filter', 'nic0')[0]
    assert r['promiscuous'] is True and r['main-mac'] == '52:54:00:12:34:56'
    ok(con, 'ip link set eth0 up')
    ok(con, UDHCPC)
    # The open sent rx mode and a MAC table over the control queue; the
    # query above armed the change event.
    ev = c.event('NIC_RX_FILTER_CHANGED', timeout=TIMEOUT)
    # QEMU 7.2's virtio-net-device sends no name, only the QOM path.
    assert ev['data'] == {'path': '/machine/peripheral/nic0'}
    r = named(c, 'query-rx-filter', 'nic0')[0]
    assert r['name'] == 'nic0'
    assert r['promiscuous'] is False
    assert r['unicast'] == 'normal' and r['multicast'] == 'normal'
    # VLAN filtering negotiated, no VLAN added: none pass (QEMU: 'none').
    assert r['vlan'] == 'none' and r['vlan-table'] == []
    # IPv4 all-hosts and the IPv6 all-nodes groups the kernel joined.
    assert '01:00:5e:00:00:01' in r['multicast-table'], r
    assert '33:33:00:00:00:01' in r['multicast-table'], r
    ok(con, 'ip link set eth0 promisc on')
    ev = c.event('NIC_RX_FILTER_CHANGED', timeout=TIMEOUT)
    r = named(c, 'query-rx-filter', 'nic0')[0]
    assert r['promiscuous'] is True
    ok(con, 'ip link set eth0 promisc off && ifconfig eth0 allmulti')
    c.event('NIC_RX_FILTER_CHANGED', timeout=TIMEOUT)
    # The event comes once per query: read the final state when the
    # driver's last command is in (its ack is what `ip` waited for).
    r = named(c, 'query-rx-filter', 'nic0')[0]
    assert r['promiscuous'] is False and r['multicast'] == 'all', r


def test_nic_model_virtio_net_device_gets_a_card(start):
    q, con, c = boot(start, ['-nic', 'user,restrict=on,'
                             'model=virtio-net-device,mac=52:54:00:12:34:60'])
    assert 'was not created' not in q.output()
    assert ok(con, 'cat /sys/class/net/eth0/address').strip() == \
        '52:54:00:12:34:60'
    dhcp(con)
