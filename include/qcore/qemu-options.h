/*
 * The table of command-line options, as an X-macro list: -h is generated
 * from it and anything not in it is rejected.  Corresponds to QEMU's
 * qemu-options.hx (and the qemu-options.def generated from it).
 *
 * Include it after defining
 *     DEF(name, flags, index, help)  one option: "-name" (no dash here),
 *                                    flags HAS_ARG if it takes an argument,
 *                                    its QEMU_OPTION_* enumerator, and its
 *                                    lines of -h text ("" to list nothing,
 *                                    as for aliases documented elsewhere);
 *     DEFHEADING(text)               a section title in -h.
 * Both are #undef'd at the end.  No include guard, by design.
 *
 * The help texts follow QEMU's layout: the synopsis at column 0, the
 * explanation indented to column 16.
 */
#ifndef HAS_ARG
#define HAS_ARG 0x0001
#endif

DEFHEADING(Standard options:)
DEF("h", 0, QEMU_OPTION_h,
    "-h or -help     display this help and exit\n")
DEF("help", 0, QEMU_OPTION_help, "")
DEF("version", 0, QEMU_OPTION_version,
    "-version        display version information and exit\n")
DEF("machine", HAS_ARG, QEMU_OPTION_machine,
    "-machine [type=]name[,prop[=value][,...]]\n"
    "                choose the machine to emulate ('-machine help' lists "
    "them)\n")
DEF("M", HAS_ARG, QEMU_OPTION_M,
    "-M              same as -machine\n")
DEF("cpu", HAS_ARG, QEMU_OPTION_cpu,
    "-cpu cpu        choose the CPU model ('-cpu help' lists them)\n")
DEF("smp", HAS_ARG, QEMU_OPTION_smp,
    "-smp [[cpus=]n][,maxcpus=maxcpus][,sockets=sockets][,cores=cores]"
    "[,threads=threads]\n"
    "                n CPUs at start-up, and how they are arranged\n")
DEF("m", HAS_ARG, QEMU_OPTION_m,
    "-m [size=]megs[,slots=n,maxmem=size]\n"
    "                configure guest RAM: size in MiB, or with a suffix "
    "k, M, G, T\n")
DEF("accel", HAS_ARG, QEMU_OPTION_accel,
    "-accel [accel=]accelerator[,halt-poll-ns=n]\n"
    "                tcg (the RISC-V interpreter, default) or qtest (no "
    "guest code\n"
    "                runs; see -qtest); also -machine accel=...\n"
    "                halt-poll-ns: tcg, how long a halted vCPU polls before "
    "it sleeps\n"
    "                (adaptive, at most n ns; default 200000, 0 off)\n")
DEF("name", HAS_ARG, QEMU_OPTION_name,
    "-name string1[,process=string2][,debug-threads=on|off]\n"
    "                set the name of the guest; string2 names the "
    "process\n"
    "                debug-threads=on names each thread (for debugging "
    "only)\n")
DEFHEADING()

DEFHEADING(Display options:)
DEF("display", HAS_ARG, QEMU_OPTION_display,
    "-display none   choose the display backend (only 'none' exists)\n")
DEF("nographic", 0, QEMU_OPTION_nographic,
    "-nographic      no display; serial port and monitor share the "
    "terminal\n")
DEF("vnc", HAS_ARG, QEMU_OPTION_vnc,
    "-vnc [host]:d[,to=L][,share=allow-exclusive|force-shared|ignore][,id=ID]\n"
    "     [,password=on][,lossy=on][,websocket=on|port|host:port]\n"
    "     [,display=dev[,head=n]][,tls-creds=ID]\n"
    "                start a VNC server on port 5900+d (all addresses if\n"
    "                host is empty); serial and monitor become text consoles\n"
    "                websocket: also RFB over websockets (noVNC), on=5700+d\n"
    "                display: show that device's console only\n"
    "                lossy=on lets Tight send JPEG to clients that ask for a\n"
    "                quality level\n"
    "                tls-creds: VeNCrypt over TLS with that tls-creds-x509\n"
    "                or tls-creds-anon object (password=on: VNC auth inside)\n"
    "-vnc unix:path  the same on a UNIX socket; -vnc none: no server\n")
DEF("k", HAS_ARG, QEMU_OPTION_k,
    "-k language     use keyboard layout (for example 'fr' for French):\n"
    "                how VNC keysyms become keys (default en-us; QEMU's\n"
    "                names or an XKB layout such as 'de(nodeadkeys)')\n")
DEFHEADING()

DEFHEADING(Character device options:)
DEF("chardev", HAS_ARG, QEMU_OPTION_chardev,
    "-chardev backend,id=id[,option=value,...]\n"
    "                add a character device ('-chardev help' lists "
    "backends)\n"
    "                backends: null, socket, stdio, file, pty, ringbuf\n")
DEFHEADING()

DEFHEADING(Boot Image or Kernel specific:)
DEF("kernel", HAS_ARG, QEMU_OPTION_kernel,
    "-kernel bzImage use 'bzImage' as kernel image: a Linux RISC-V Image,\n"
    "                an ELF (bare-metal programs too) or a raw binary\n")
DEF("append", HAS_ARG, QEMU_OPTION_append,
    "-append cmdline use 'cmdline' as kernel command line (/chosen/bootargs)\n")
DEF("initrd", HAS_ARG, QEMU_OPTION_initrd,
    "-initrd file    use 'file' as initial ram disk\n")
DEF("dtb", HAS_ARG, QEMU_OPTION_dtb,
    "-dtb    file    use 'file' as device tree image\n")
DEF("bios", HAS_ARG, QEMU_OPTION_bios,
    "-bios file      set the filename for the BIOS: 'default' (OpenSBI's\n"
    "                fw_dynamic from Debian's opensbi package, the default),\n"
    "                'none' (start the -kernel directly) or a firmware file\n")
DEFHEADING()

DEFHEADING(Debug/Expert options:)
DEF("serial", HAS_ARG, QEMU_OPTION_serial,
    "-serial dev     connect the next serial port to character device "
    "'dev'\n")
DEF("monitor", HAS_ARG, QEMU_OPTION_monitor,
    "-monitor dev    an HMP monitor on character device 'dev'\n")
DEF("qmp", HAS_ARG, QEMU_OPTION_qmp,
    "-qmp dev        a QMP monitor on character device 'dev'\n")
DEF("qmp-pretty", HAS_ARG, QEMU_OPTION_qmp_pretty,
    "-qmp-pretty dev as -qmp, with indented JSON replies\n")
DEF("mon", HAS_ARG, QEMU_OPTION_mon,
    "-mon [chardev=]name[,mode=readline|control][,pretty=on|off]\n"
    "                a monitor on the character device with id 'name'\n")
DEF("pidfile", HAS_ARG, QEMU_OPTION_pidfile,
    "-pidfile file   write the process id to 'file'\n")
DEF("S", 0, QEMU_OPTION_S,
    "-S              start paused ('cont' or 'c' starts the machine)\n")
DEF("gdb", HAS_ARG, QEMU_OPTION_gdb,
    "-gdb dev        accept gdb connection on 'dev' (tcp::PORT,\n"
    "                unix:PATH,server=on, chardev:ID); the guest starts\n"
    "                without waiting for gdb unless -S is given too\n")
DEF("s", 0, QEMU_OPTION_s,
    "-s              shorthand for -gdb tcp::1234\n")
DEF("nodefaults", 0, QEMU_OPTION_nodefaults,
    "-nodefaults     create no default serial port or monitor\n")
DEF("daemonize", 0, QEMU_OPTION_daemonize,
    "-daemonize      detach into the background once set up\n")
DEF("qtest", HAS_ARG, QEMU_OPTION_qtest,
    "-qtest dev      serve the qtest protocol on character device 'dev'\n"
    "                (unix:PATH, stdio, chardev:ID, ...); with -accel "
    "qtest no\n"
    "                guest code runs and the test owns the clock "
    "(docs/qtest.md)\n")
DEF("qtest-log", HAS_ARG, QEMU_OPTION_qtest_log,
    "-qtest-log file log qtest commands and answers to 'file' (default:\n"
    "                stderr; 'none': no log)\n")
DEF("D", HAS_ARG, QEMU_OPTION_D,
    "-D logfile      write the log to 'logfile' instead of stderr\n")
DEF("d", HAS_ARG, QEMU_OPTION_d,
    "-d item1,...    log these items ('-d help' lists them)\n")
DEF("dfilter", HAS_ARG, QEMU_OPTION_dfilter,
    "-dfilter range,..  log in_asm/exec/cpu only for these guest pc ranges\n"
    "                (0xADDR+SIZE, 0xADDR-0xADDR or 0xADDR..0xADDR)\n")
DEF("trace", HAS_ARG, QEMU_OPTION_trace,
    "-trace [[enable=]<pattern>][,events=<file>][,file=<file>]\n"
    "                specify tracing options ('-trace help' lists the events;\n"
    "                file= sends the log there, as -D)\n")
DEF("msg", HAS_ARG, QEMU_OPTION_msg,
    "-msg timestamp[=on|off]\n"
    "                start error messages and trace lines with the time\n")
DEF("bql-profile", HAS_ARG, QEMU_OPTION_bql_profile,
    "-bql-profile on|off\n"
    "                time every BQL acquisition per call site for\n"
    "                x-query-bql / info bql (default: on)\n")
DEFHEADING()

DEFHEADING(Device options:)
DEF("device", HAS_ARG, QEMU_OPTION_device,
    "-device driver[,prop[=value][,...]]\n"
    "                add device (based on driver)\n"
    "                prop=value,... sets driver properties\n"
    "                use '-device help' to print all possible drivers\n"
    "                use '-device driver,help' to print all possible "
    "properties\n")
DEF("global", HAS_ARG, QEMU_OPTION_global,
    "-global driver.property=value\n"
    "-global driver=driver,property=property,value=value\n"
    "                set a global default for a driver property\n"
    "                (e.g. -global virtio-mmio.force-legacy=false)\n")
DEFHEADING()

DEFHEADING(Block device options:)
DEF("blockdev", HAS_ARG, QEMU_OPTION_blockdev,
    "-blockdev [driver=]driver[,node-name=N][,discard=ignore|unmap]\n"
    "          [,cache.direct=on|off][,cache.no-flush=on|off]\n"
    "          [,read-only=on|off][,detect-zeroes=on|off|unmap]\n"
    "          [,driver specific parameters...]\n"
    "                configure a block backend (JSON or dotted keys; "
    "drivers:\n"
    "                file (filename=, aio=threads|native|io_uring), raw\n"
    "                (file=, offset=, size=), qcow2 (file=, backing=))\n")
DEF("drive", HAS_ARG, QEMU_OPTION_drive,
    "-drive [file=file][,if=none][,id=name][,format=raw|qcow2]\n"
    "       [,cache=writethrough|writeback|none|directsync|unsafe]\n"
    "       [,aio=threads|native|io_uring][,readonly=on|off]\n"
    "       [,werror=ignore|stop|report|enospc][,rerror=ignore|stop|report]\n"
    "                a drive for -device ...,drive=name (if=none only),\n"
    "                e.g. -device virtio-blk-device,drive=name[,iothread=io0]\n")
DEFHEADING()

DEFHEADING(Network options:)
DEF("netdev", HAS_ARG, QEMU_OPTION_netdev,
    "-netdev user,id=str[,ipv4=on|off][,net=addr[/mask]][,host=addr]\n"
    "         [,restrict=on|off][,hostname=host][,dhcpstart=addr]\n"
    "         [,dns=addr][,domainname=domain][,dnssearch=domain]\n"
    "         [,tftp=dir][,tftp-server-name=name][,bootfile=f]\n"
    "         [,hostfwd=rule][,ipv6=on|off][,ipv6-prefix=addr]\n"
    "         [,ipv6-prefixlen=n][,ipv6-host=addr][,ipv6-dns=addr]\n"
    "                configure a user mode network backend (libslirp) with "
    "ID 'str';\n"
    "                hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:"
    "guestport\n"
    "                forwards a host port to the guest (repeatable)\n"
    "-netdev tap,id=str,ifname=name,script=no,downscript=no\n"
    "                connect to the host TAP interface 'name' "
    "(/dev/net/tun)\n"
    "-netdev socket,id=str[,listen=[host]:port][,connect=host:port]\n"
    "                connect to another VM over TCP (QEMU's framing)\n"
    "-netdev hubport,id=str,hubid=n[,netdev=nd]\n"
    "                a port of hub 'n' (optionally bound to netdev 'nd')\n"
    "                ('-netdev help' lists the backend types); the card:\n"
    "                -device virtio-net-device,netdev=str[,mac=52:54:00:...]\n")
DEF("nic", HAS_ARG, QEMU_OPTION_nic,
    "-nic [user|tap|socket][,option][,...][,mac=macaddr][,model=mn]\n"
    "                a backend and a NIC for the board to create: on virt,\n"
    "                model=virtio-net-device (a qcore addition; without\n"
    "                model= it warns, as QEMU 7.2's virt board does)\n"
    "-nic none       use it alone to have zero network devices\n")
DEFHEADING()

DEFHEADING(Generic object creation:)
DEF("object", HAS_ARG, QEMU_OPTION_object,
    "-object TYPENAME[,PROP1=VALUE1,...]\n"
    "                create an object of that type and set its "
    "properties,\n"
    "                left to right ('-object help' lists types)\n"
    "-object tls-creds-x509,id=id,dir=path,endpoint=server|client\n"
    "        [,verify-peer=on|off][,sanity-check=on|off][,priority=prio]\n"
    "                TLS certificates from dir (ca-cert.pem, server-cert.pem,\n"
    "                server-key.pem, [ca-crl.pem], [dh-params.pem])\n"
    "-object tls-creds-anon,id=id[,dir=path],endpoint=server|client\n"
    "        [,priority=prio]\n"
    "                anonymous TLS (no certificates)\n")
DEFHEADING()

#undef DEF
#undef DEFHEADING
