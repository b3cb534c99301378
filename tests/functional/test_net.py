"""The network backends on the real binary: -netdev user/socket/hubport
and -nic on the command line, QMP netdev_add/netdev_del/set_link/
query-rx-filter and HMP info network/usernet, hostfwd_add/remove, with
QEMU 7.2's shapes and wording; and two qcore processes on one
-netdev socket wire.  Every socket is on 127.0.0.1, every port chosen
by the kernel (port 0) and read back, so nothing races for a port."""
import os
import re
import socket
import struct

from conftest import qcore_run, TIMEOUT


def hmp(c, line):
    return c.ok('human-monitor-command', **{'command-line': line})


def cmd_named(c, command, name, **args):
    """c.cmd() for commands whose argument is called 'name'."""
    c.request(command, dict(args, name=name), id='named')
    r = c.response()
    assert r.pop('id') == 'named'
    return r


def listening_ports(pid):
    """The TCP ports process @pid listens on, from /proc (race-free)."""
    inodes = set()
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        except OSError:
            continue
        m = re.match(r'socket:\[(\d+)\]', target)
        if m:
            inodes.add(m.group(1))
    ports = []
    with open('/proc/%d/net/tcp' % pid) as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == '0A' and inode in inodes:
                ports.append(int(local.split(':')[1], 16))
    return ports


def listen_port_of(q, before):
    """The one port @q listens on that is not in @before."""
    new = set(listening_ports(q.pid)) - set(before)
    assert len(new) == 1, new
    return new.pop()


def test_info_network_and_qmp_errors(start):
    q = start(['-netdev', 'user,id=n0,restrict=on',
               '-netdev', 'hubport,id=h0,hubid=1'])
    c = q.qmp()
    assert hmp(c, 'info network') == \
        'hub 1\r\n \\ h0\r\nn0: index=0,type=user,net=10.0.2.0,' \
        'restrict=on\r\n'
    r = cmd_named(c, 'query-rx-filter', 'n0')
    assert r['error'] == {'class': 'GenericError',
                          'desc': "net client(n0) isn't a NIC"}
    r = cmd_named(c, 'query-rx-filter', 'zz')
    assert r['error']['desc'] == 'invalid net client name: zz'
    assert c.ok('query-rx-filter') == []
    r = c.cmd('netdev_add', type='user', id='n0')
    assert r['error']['desc'] == "Duplicate ID 'n0'"
    r = c.cmd('netdev_add', type='user', id='9x')
    assert r['error']['desc'] == "Parameter 'id' expects an identifier"
    r = c.cmd('netdev_add', type='bogus', id='x')
    assert r['error']['desc'] == \
        "Parameter 'type' does not accept value 'bogus'"
    r = c.cmd('netdev_del', id='zz')
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Device 'zz' not found"}
    r = cmd_named(c, 'set_link', 'zz', up=False)
    assert r['error']['class'] == 'DeviceNotFound'
    assert cmd_named(c, 'set_link', 'n0', up=False) == {'return': {}}

    # Added and deleted at run time, by QMP and HMP; ids free again after.
    assert c.ok('netdev_add', type='user', id='u1',
                net='10.1.0.0/24') == {}
    assert hmp(c, 'netdev_add user,id=u2,restrict=on') == ''
    assert hmp(c, 'netdev_add user,id=u3,foo=1') == \
        "Error: Invalid parameter 'foo'\r\n"
    assert 'u1: index=0,type=user,net=10.1.0.0,restrict=off\r\n' in \
        hmp(c, 'info network')
    assert c.ok('netdev_del', id='u1') == {}
    assert hmp(c, 'netdev_del u2') == ''
    assert hmp(c, 'netdev_del u2') == "Error: Device 'u2' not found\r\n"
    assert hmp(c, 'netdev_add user,id=u2') == ''
    assert c.ok('netdev_del', id='u2') == {}
    assert 'u1' not in hmp(c, 'info network')
    c.close()
    q.assert_serving()


def test_hostfwd_add_remove_and_connect(start):
    q = start(['-netdev', 'user,id=n0,restrict=on'])
    c = q.qmp()
    before = listening_ports(q.pid)
    assert hmp(c, 'hostfwd_add n0 tcp:127.0.0.1:0-:22') == ''
    port = listen_port_of(q, before)
    assert 'TCP[HOST_FORWARD]' in hmp(c, 'info usernet')
    # A host client connects: slirp accepts for the guest.
    s = socket.create_connection(('127.0.0.1', port), timeout=TIMEOUT)
    s.close()
    assert hmp(c, 'hostfwd_remove n0 tcp:127.0.0.1:%d' % port) == \
        'host forwarding rule for tcp:127.0.0.1:%d removed\r\n' % port
    assert hmp(c, 'hostfwd_remove n0 tcp:127.0.0.1:%d' % port) == \
        'host forwarding rule for tcp:127.0.0.1:%d not found\r\n' % port
    assert hmp(c, 'hostfwd_add n0 bogus') == \
        "Invalid host forwarding rule 'bogus' (No : separators)\r\n"
    assert hmp(c, 'hostfwd_add zz tcp::1-:2') == \
        "unrecognized netdev id 'zz'\r\n"
    assert hmp(c, 'hostfwd_remove n0 x') == 'invalid format\r\n'
    c.close()
    q.assert_serving()


def test_netdev_command_line_errors():
    cases = [
        ('user', "-netdev user: Parameter 'id' is missing"),
        ('user,id=a,foo=1', "-netdev user,id=a,foo=1: Invalid parameter 'foo'"),
        ('user,id=a,restrict=maybe', "-netdev user,id=a,restrict=maybe: "
         "Parameter 'restrict' expects 'on' or 'off'"),
        ('socket,id=a', '-netdev socket,id=a: exactly one of listen=, '
         'connect=, mcast= or udp= is required'),
        ('user,id=a,hostfwd=tcp::99999-:22',
         "-netdev user,id=a,hostfwd=tcp::99999-:22: Invalid host "
         "forwarding rule 'tcp::99999-:22' (Bad host port)"),
    ]
    for opts, err in cases:
        r = qcore_run(['-M', 'none', '-display', 'none', '-netdev', opts],
                      text=True)
        assert r.returncode == 1, opts
        assert r.stderr.strip() == 'qcore: ' + err
    # The JSON form libvirt passes, errors as QEMU 7.2's.
    j = '{"type":"user","id":"j0","restrict":"on"}'
    r = qcore_run(['-M', 'none', '-display', 'none', '-netdev', j],
                  text=True)
    assert r.returncode == 1
    assert r.stderr.strip() == "qcore: -netdev %s: Invalid parameter " \
        "type for 'restrict', expected: boolean" % j
    j = '{"type":"user","id":"j0"}'
    r = qcore_run(['-M', 'none', '-display', 'none', '-netdev', j,
                   '-netdev', j], text=True)
    assert r.stderr.strip() == "qcore: -netdev %s: Duplicate ID 'j0'" % j
    r = qcore_run(['-netdev', 'help'], text=True)
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == 'Available netdev backend types:'
    assert 'user' in r.stdout.splitlines()


def test_nic_is_kept_for_the_board_with_qemus_warning(start):
    q = start(['-nic', 'user,id=n1,model=virtio-net-device,restrict=on'])
    assert "qcore: warning: requested NIC (anonymous, model " \
        "virtio-net-device) was not created (not supported by this " \
        "machine?)" in q.output()
    c = q.qmp()
    assert 'n1: index=0,type=user,net=10.0.2.0,restrict=on' in \
        hmp(c, 'info network')


def test_netdev_json_form(start):
    q = start(['-netdev', '{"type":"user","id":"j0","restrict":true,'
               '"hostfwd":[{"str":"tcp:127.0.0.1:0-:22"}]}'])
    c = q.qmp()
    assert 'j0: index=0,type=user,net=10.0.2.0,restrict=on' in \
        hmp(c, 'info network')
    assert 'TCP[HOST_FORWARD]' in hmp(c, 'info usernet')


def test_hmp_help_lists_the_net_commands(start):
    q = start()
    out = hmp(q.qmp(), 'help')
    for name in ('netdev_add', 'netdev_del', 'set_link', 'hostfwd_add',
                 'hostfwd_remove'):
        assert name in out


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        assert chunk, 'peer closed'
        buf += chunk
    return buf


def recv_frame(s):
    (n,) = struct.unpack('>I', recv_exact(s, 4))
    return recv_exact(s, n)


def test_two_qcores_on_one_socket_wire(start):
    """Host A ==(s1)== qcore A [hub] ==(s0 wire)== qcore B [hub] ==(s1)==
    host B: each qcore's hub joins its two socket netdevs, so a frame a
    test client gives one qcore crosses the wire between the two
    processes, in QEMU's length framing, both ways."""
    a = start(['-netdev', 'socket,id=w,listen=127.0.0.1:0',
               '-netdev', 'hubport,id=ha0,hubid=0,netdev=w'], name='a')
    wire_port = listen_port_of(a, [])
    before = listening_ports(a.pid)
    ca = a.qmp()
    ca.ok('netdev_add', type='socket', id='s1', listen='127.0.0.1:0')
    ca.ok('netdev_add', type='hubport', id='ha1', hubid=0, netdev='s1')
    port_a = listen_port_of(a, before)

    b = start(['-netdev', 'socket,id=w,connect=127.0.0.1:%d' % wire_port,
               '-netdev', 'hubport,id=hb0,hubid=0,netdev=w',
               '-netdev', 'socket,id=s1,listen=127.0.0.1:0',
               '-netdev', 'hubport,id=hb1,hubid=0,netdev=s1'], name='b')
    port_b = listen_port_of(b, [])
    cb = b.qmp()
    assert 'w: index=0,type=socket,socket: connect to 127.0.0.1:%d' \
        % wire_port in hmp(cb, 'info network')

    ha = socket.create_connection(('127.0.0.1', port_a), timeout=TIMEOUT)
    hb = socket.create_connection(('127.0.0.1', port_b), timeout=TIMEOUT)
    # Both ends accepted before anything is sent: a frame given to a
    # socket netdev without a peer is lost, as on a wire with no one on
    # it.  Each monitor round trip is a main-loop turn of that qcore.
    for c in (ca, cb):
        while not any(': s1: ' in l and 'connection from' in l
                      for l in hmp(c, 'info network').split('\r\n')):
            pass
    frame = bytes(range(256)) * 5 + b'\x01\x02'
    ha.sendall(struct.pack('>I', len(frame)) + frame)
    assert recv_frame(hb) == frame
    hb.sendall(struct.pack('>I', 60) + b'\xab' * 60)
    assert recv_frame(ha) == b'\xab' * 60
    ha.close()
    hb.close()
    ca.close()
    cb.close()
    a.assert_serving()
    b.assert_serving()
