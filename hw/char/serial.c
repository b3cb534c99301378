/*
 * The ns16550a UART, memory-mapped with one byte per register.
 * Corresponds to QEMU's hw/char/serial.c and hw/char/serial-mm.c; the
 * register map is in include/qcore/hw/serial.h.
 *
 * What is simplified, and why it does not show to a guest:
 *  - No line timing: a byte written to THR goes to the chardev at once,
 *    and the divisor latch is storage only (the baud rate shows nowhere).
 *  - The character-timeout interrupt (IIR 0x0c), which real hardware
 *    raises after four idle character times when the receive FIFO holds
 *    fewer bytes than the trigger level, is raised at once: without a
 *    line there is nothing to wait for, and drivers treat it like "data
 *    available" anyway.
 *  - Parity and framing errors never happen.
 *
 * Everything below runs in the main thread with the BQL held: MMIO
 * callbacks (the memory API takes the BQL), chardev callbacks and
 * watches, and the reset handler.
 */
#include "qcore/osdep.h"
#include "qcore/hw/serial.h"
#include "qcore/hw/qdev-gpio.h"
#include "qcore/hw/sysbus.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"

#define UART_FIFO_LEN 16

/* Register offsets. */
#define UART_RBR 0      /* read; THR on write; DLL with DLAB */
#define UART_IER 1      /* DLM with DLAB */
#define UART_IIR 2      /* read; FCR on write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI    0x01    /* received data available */
#define UART_IER_THRI   0x02    /* transmit holding register empty */
#define UART_IER_RLSI   0x04    /* receiver line status */
#define UART_IER_MSI    0x08    /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c    /* character timeout */
#define UART_IIR_ID     0x0f
#define UART_IIR_FE     0xc0    /* FIFOs enabled */

#define UART_FCR_FE     0x01    /* enable FIFOs */
#define UART_FCR_RFR    0x02    /* clear the receive FIFO */
#define UART_FCR_XFR    0x04    /* clear the transmit FIFO */
#define UART_FCR_DMS    0x08    /* DMA mode select: no effect here */
#define UART_FCR_ITL    0xc0    /* receive trigger level */

#define UART_LCR_DLAB   0x80

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10

#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_PE     0x04
#define UART_LSR_FE     0x08
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_INT_ANY (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | \
                          UART_LSR_BI)

#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_ANY_DELTA 0x0f
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80

/* A ring of at most UART_FIFO_LEN bytes. */
typedef struct ByteFifo {
    uint8_t data[UART_FIFO_LEN];
    unsigned head;
    unsigned num;
} ByteFifo;

static void fifo_reset(ByteFifo *f)
{
    f->head = f->num = 0;
}

static void fifo_push(ByteFifo *f, uint8_t c)
{
    assert(f->num < UART_FIFO_LEN);
    f->data[(f->head + f->num++) % UART_FIFO_LEN] = c;
}

static uint8_t fifo_peek(ByteFifo *f)
{
    assert(f->num);
    return f->data[f->head];
}

static uint8_t fifo_pop(ByteFifo *f)
{
    uint8_t c = fifo_peek(f);

    f->head = (f->head + 1) % UART_FIFO_LEN;
    f->num--;
    return c;
}

struct SerialState {
    Object parent_obj;

    MemoryRegion mmio;
    CharBackend chr;
    qemu_irq irq;               /* set at create; qtest may divert it */
    int irq_level;              /* what we last put on @irq */
    guint watch_tag;            /* G_IO_OUT watch while tx waits, or 0 */

    /* The registers; BQL. */
    uint16_t divider;
    uint8_t ier;
    uint8_t iir;                /* recomputed by serial_update_irq */
    uint8_t fcr;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;                /* outside loopback */
    uint8_t scr;
    /*
     * The THR-empty interrupt is an event, not a level: set when the
     * transmitter empties (or THRI is enabled while it is empty), cleared
     * by reading IIR while it is the reported cause, or writing THR.
     */
    bool thr_ipending;
    ByteFifo rx;
    ByteFifo tx;
};

#define SERIAL_MM(obj) OBJECT_CHECK(SerialState, (obj), TYPE_SERIAL_MM)

static bool serial_fifo_enabled(SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

/* FIFO capacity: 16, or the single RBR / THR while FIFOs are off. */
static unsigned serial_fifo_capacity(SerialState *s)
{
    return serial_fifo_enabled(s) ? UART_FIFO_LEN : 1;
}

static unsigned serial_rx_trigger(SerialState *s)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };

    return levels[(s->fcr & UART_FCR_ITL) >> 6];
}

/* The interrupt causes in priority order, as IIR reports the first. */
static void serial_update_irq(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;
    int level;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_INT_ANY)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR)) {
        id = serial_fifo_enabled(s) && s->rx.num < serial_rx_trigger(s)
             ? UART_IIR_CTI : UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA)) {
        id = UART_IIR_MSI;
    }
    s->iir = id | (serial_fifo_enabled(s) ? UART_IIR_FE : 0);

    level = id != UART_IIR_NO_INT;
    if (level != s->irq_level) {
        s->irq_level = level;
        qemu_set_irq(s->irq, level);
    }
}

/* One byte arrives on the line (from the chardev or the loopback). */
static void serial_receive_byte(SerialState *s, uint8_t c)
{
    if (s->rx.num == serial_fifo_capacity(s)) {
        /* Only the loopback can overrun: can_read keeps the chardev out. */
        s->lsr |= UART_LSR_OE;
        return;
    }
    fifo_push(&s->rx, c);
    s->lsr |= UART_LSR_DR;
}

static gboolean serial_watch_cb(void *do_not_use, GIOCondition cond,
                                void *opaque);

/*
 * Send what the transmit FIFO holds.  Returns false when the chardev took
 * less than everything (the rest stays queued for a watch).
 */
static bool serial_xmit_fifo(SerialState *s)
{
    while (s->tx.num) {
        uint8_t c = fifo_peek(&s->tx);
        int ret;

        if (s->mcr & UART_MCR_LOOP) {
            fifo_pop(&s->tx);
            serial_receive_byte(s, c);
            continue;
        }
        if (!qemu_chr_fe_backend_connected(&s->chr)) {
            /* No chardev: the bytes go out on a wire nobody listens to. */
            fifo_pop(&s->tx);
            continue;
        }
        ret = qemu_chr_fe_write(&s->chr, &c, 1);
        if (ret == 1 || (ret < 0 && errno != EAGAIN)) {
            /* Sent, or the peer is gone and the byte is lost for good. */
            fifo_pop(&s->tx);
            continue;
        }
        return false;
    }
    return true;
}

/* After THR was written or a watch fired: push bytes, never block. */
static void serial_xmit(SerialState *s)
{
    if (!serial_xmit_fifo(s)) {
        if (!s->watch_tag) {
            s->watch_tag = qemu_chr_fe_add_watch(&s->chr, G_IO_OUT | G_IO_HUP,
                                                 serial_watch_cb, s);
        }
        return;
    }
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
}

static gboolean serial_watch_cb(void *do_not_use, GIOCondition cond,
                                void *opaque)
{
    SerialState *s = opaque;

    if (!serial_xmit_fifo(s)) {
        /* Still full: we are called again when the queue drains. */
        return G_SOURCE_CONTINUE;
    }
    s->watch_tag = 0;
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
    serial_update_irq(s);
    return G_SOURCE_REMOVE;
}

static void serial_remove_watch(SerialState *s)
{
    if (s->watch_tag) {
        qemu_chr_fe_remove_watch(&s->chr, s->watch_tag);
        s->watch_tag = 0;
    }
}

/* ---- chardev side ------------------------------------------------------ */

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    /* In loopback the receiver listens to the transmitter only. */
    if (s->mcr & UART_MCR_LOOP) {
        return 0;
    }
    return serial_fifo_capacity(s) - s->rx.num;
}

static void serial_receive(void *opaque, const uint8_t *buf, int size)
{
    SerialState *s = opaque;

    for (int i = 0; i < size; i++) {
        serial_receive_byte(s, buf[i]);
    }
    serial_update_irq(s);
}

static void serial_event(void *opaque, QEMUChrEvent event)
{
    SerialState *s = opaque;

    /* A break reads as a NUL byte with BI set (the mux's Ctrl-A b). */
    if (event == CHR_EVENT_BREAK && serial_can_receive(s) > 0) {
        serial_receive_byte(s, 0);
        s->lsr |= UART_LSR_BI;
        serial_update_irq(s);
    }
}

/* There is room in the receive FIFO again: let the chardev offer input. */
static void serial_accept_input(SerialState *s)
{
    if (serial_can_receive(s) > 0) {
        qemu_chr_fe_accept_input(&s->chr);
    }
}

/* ---- guest side -------------------------------------------------------- */

static uint8_t serial_msr(SerialState *s)
{
    uint8_t m = s->mcr;

    if (!(s->mcr & UART_MCR_LOOP)) {
        return s->msr;
    }
    /* Loopback wires the modem outputs back to the inputs. */
    return (m & UART_MCR_RTS ? UART_MSR_CTS : 0) |
           (m & UART_MCR_DTR ? UART_MSR_DSR : 0) |
           (m & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
           (m & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

static uint64_t serial_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t ret = 0;

    switch (addr & 7) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider & 0xff;
        }
        if (s->rx.num) {
            ret = fifo_pop(&s->rx);
        }
        if (!s->rx.num) {
            s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        }
        serial_update_irq(s);
        serial_accept_input(s);
        return ret;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider >> 8;
        }
        return s->ier;
    case UART_IIR:
        ret = s->iir;
        if ((ret & UART_IIR_ID) == UART_IIR_THRI) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        return ret;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        ret = s->lsr;
        /* The error bits report an event once. */
        s->lsr &= ~(UART_LSR_OE | UART_LSR_BI);
        serial_update_irq(s);
        return ret;
    case UART_MSR:
        ret = serial_msr(s);
        s->msr &= ~UART_MSR_ANY_DELTA;
        serial_update_irq(s);
        return ret;
    case UART_SCR:
        return s->scr;
    }
    g_assert_not_reached();
}

static void serial_write(void *opaque, hwaddr addr, uint64_t val64,
                         unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = val64;
    uint8_t old;

    switch (addr & 7) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | val;
            return;
        }
        if (s->tx.num == serial_fifo_capacity(s)) {
            /* THR was not empty: the guest ignored THRE; the byte is lost. */
            qemu_log_mask(LOG_GUEST_ERROR, "ns16550a: THR written while full\n");
            return;
        }
        fifo_push(&s->tx, val);
        s->thr_ipending = false;
        s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
        serial_xmit(s);
        serial_update_irq(s);
        return;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (val << 8);
            return;
        }
        old = s->ier;
        s->ier = val & 0x0f;
        /* Enabling THRI while the transmitter is empty interrupts at once. */
        if (!(old & UART_IER_THRI) && (s->ier & UART_IER_THRI) &&
            (s->lsr & UART_LSR_THRE)) {
            s->thr_ipending = true;
        }
        serial_update_irq(s);
        return;
    case UART_IIR:      /* FCR */
        if ((val ^ s->fcr) & UART_FCR_FE) {
            /* Switching the FIFOs on or off empties them. */
            val |= UART_FCR_RFR | UART_FCR_XFR;
        }
        if (val & UART_FCR_RFR) {
            fifo_reset(&s->rx);
            s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        }
        if (val & UART_FCR_XFR) {
            serial_remove_watch(s);
            fifo_reset(&s->tx);
            s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
            s->thr_ipending = true;
        }
        s->fcr = val & UART_FCR_FE ? val & (UART_FCR_FE | UART_FCR_DMS |
                                            UART_FCR_ITL) : 0;
        serial_update_irq(s);
        serial_accept_input(s);
        return;
    case UART_LCR:
        s->lcr = val;
        return;
    case UART_MCR:
        old = s->mcr;
        s->mcr = val & 0x1f;
        if ((old ^ s->mcr) & UART_MCR_LOOP) {
            serial_accept_input(s);
        }
        return;
    case UART_LSR:
    case UART_MSR:
        /* Read-only status registers: writes are ignored, as in QEMU. */
        return;
    case UART_SCR:
        s->scr = val;
        return;
    }
}

/*
 * One byte per register, mirrored every 8 bytes; wider accesses reach the
 * register at their address with the low byte (as QEMU's serial-mm).
 */
static const MemoryRegionOps serial_mm_ops = {
    .read = serial_read,
    .write = serial_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static void serial_reset(void *opaque)
{
    SerialState *s = opaque;

    serial_remove_watch(s);
    fifo_reset(&s->rx);
    fifo_reset(&s->tx);
    s->divider = 0x0c;          /* 9600 baud at 1.8432 MHz, as QEMU */
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2;
    s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->scr = 0;
    s->thr_ipending = false;
    s->irq_level = -1;          /* make the next update drive the line */
    serial_update_irq(s);
    serial_accept_input(s);
}

/* ---- QOM -------------------------------------------------------------- */

static void serial_unparent(Object *obj)
{
    SerialState *s = SERIAL_MM(obj);

    assert_bql_held();
    qemu_unregister_reset(serial_reset, s);
    qdev_gpio_cleanup(obj);
    serial_remove_watch(s);
    qemu_chr_fe_deinit(&s->chr, false);
    sysbus_mmio_unmap(&s->mmio);
}

static void serial_class_init(ObjectClass *oc, const void *data)
{
    oc->unparent = serial_unparent;
}

static const TypeInfo serial_mm_info = {
    .name = TYPE_SERIAL_MM,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(SerialState),
    .class_init = serial_class_init,
};

static void serial_register_types(void)
{
    type_register_static(&serial_mm_info);
}

type_init(serial_register_types)

SerialState *serial_mm_create(Object *parent, const char *name,
                              MemoryRegion *sysmem, hwaddr base,
                              qemu_irq irq, Chardev *chr, Error **errp)
{
    SerialState *s = SERIAL_MM(object_new(TYPE_SERIAL_MM));

    assert_bql_held();
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        object_unref(OBJECT(s));
        return NULL;
    }
    s->irq = irq;
    qdev_init_gpio_out_pin(OBJECT(s), &s->irq);
    memory_region_init_io(&s->mmio, OBJECT(s), &serial_mm_ops, s,
                          "serial", SERIAL_MMIO_SIZE);
    serial_reset(s);
    qemu_register_reset(serial_reset, s);
    qemu_chr_fe_set_handlers(&s->chr, serial_can_receive, serial_receive,
                             serial_event, NULL, s, NULL, true);
    sysbus_mmio_map(sysmem, base, &s->mmio);
    sysbus_attach(OBJECT(s), parent, name);
    return s;
}
