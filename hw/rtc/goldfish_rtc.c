/*
 * Google's goldfish RTC: a 64-bit nanosecond wall clock and one alarm
 * interrupt, which Linux's rtc-goldfish driver reads the time from at
 * boot.  Corresponds to QEMU's hw/rtc/goldfish_rtc.c; the registers are
 * in include/qcore/hw/goldfish_rtc.h.
 *
 * Locking: all state is under the BQL (MMIO from vCPU threads holding it,
 * the alarm timer in the main loop, reset in the main loop).
 */
#include "qcore/osdep.h"
#include "qcore/hw/goldfish_rtc.h"
#include "qcore/hw/sysbus.h"
#include "qcore/log.h"
#include "qcore/main-loop.h"
#include "qcore/runstate.h"
#include "qcore/timer.h"

/* QEMU's rtc_clock: the host's wall clock unless -rtc clock= says else. */
#define RTC_CLOCK QEMU_CLOCK_HOST

struct GoldfishRTCState {
    Object parent_obj;

    MemoryRegion mmio;
    qemu_irq irq;
    QEMUTimer timer;            /* RTC_CLOCK: the alarm time is reached */

    /* BQL. */
    uint64_t tick_offset;       /* guest time - RTC_CLOCK, in ns */
    uint64_t alarm_next;        /* guest time of the alarm */
    uint32_t alarm_running;
    uint32_t irq_pending;
    uint32_t irq_enabled;
    uint32_t time_high;         /* latched by a TIME_LOW read */
};

#define GOLDFISH_RTC(obj) \
    OBJECT_CHECK(GoldfishRTCState, (obj), TYPE_GOLDFISH_RTC)

static uint64_t rtc_now(GoldfishRTCState *s)
{
    return s->tick_offset + (uint64_t)qemu_clock_get_ns(RTC_CLOCK);
}

static void rtc_update_irq(GoldfishRTCState *s)
{
    qemu_set_irq(s->irq, s->irq_pending & s->irq_enabled);
}

static void rtc_raise_alarm(GoldfishRTCState *s)
{
    s->alarm_running = 0;
    s->irq_pending = 1;
    rtc_update_irq(s);
}

static void rtc_alarm_cb(void *opaque)
{
    rtc_raise_alarm(opaque);
}

static void rtc_clear_alarm(GoldfishRTCState *s)
{
    timer_del(&s->timer);
    s->alarm_running = 0;
}

/* ALARM_LOW was written: fire now if the time has come, else arm. */
static void rtc_set_alarm(GoldfishRTCState *s)
{
    if (s->alarm_next <= rtc_now(s)) {
        rtc_clear_alarm(s);
        rtc_raise_alarm(s);
        return;
    }
    /* The instant on RTC_CLOCK at which the guest time is alarm_next. */
    timer_mod_ns(&s->timer, (int64_t)(s->alarm_next - s->tick_offset));
    s->alarm_running = 1;
}

/* Move the guest time so that it reads @val now. */
static void rtc_set_time(GoldfishRTCState *s, uint64_t val)
{
    s->tick_offset += val - rtc_now(s);
}

static uint64_t goldfish_rtc_read(void *opaque, hwaddr addr, unsigned size)
{
    GoldfishRTCState *s = opaque;
    uint64_t now;

    switch (addr) {
    case RTC_TIME_LOW:
        /* Latch the high half so that LOW then HIGH is one instant. */
        now = rtc_now(s);
        s->time_high = now >> 32;
        return (uint32_t)now;
    case RTC_TIME_HIGH:
        return s->time_high;
    case RTC_ALARM_LOW:
        return (uint32_t)s->alarm_next;
    case RTC_ALARM_HIGH:
        return s->alarm_next >> 32;
    case RTC_IRQ_ENABLED:
        return s->irq_enabled;
    case RTC_ALARM_STATUS:
        return s->alarm_running;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "goldfish_rtc: read of offset 0x%"
                  HWADDR_PRIx "\n", addr);
    return 0;
}

static void goldfish_rtc_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    GoldfishRTCState *s = opaque;
    uint64_t now;

    switch (addr) {
    case RTC_TIME_LOW:
        now = rtc_now(s);
        rtc_set_time(s, (now & ~(uint64_t)UINT32_MAX) | (uint32_t)val);
        return;
    case RTC_TIME_HIGH:
        now = rtc_now(s);
        rtc_set_time(s, (uint32_t)now | (val << 32));
        return;
    case RTC_ALARM_LOW:
        s->alarm_next = (s->alarm_next & ~(uint64_t)UINT32_MAX) |
                        (uint32_t)val;
        rtc_set_alarm(s);
        return;
    case RTC_ALARM_HIGH:
        s->alarm_next = (uint32_t)s->alarm_next | (val << 32);
        return;
    case RTC_IRQ_ENABLED:
        s->irq_enabled = val & 1;
        rtc_update_irq(s);
        return;
    case RTC_CLEAR_ALARM:
        rtc_clear_alarm(s);
        return;
    case RTC_CLEAR_INTERRUPT:
        s->irq_pending = 0;
        rtc_update_irq(s);
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "goldfish_rtc: write of 0x%" PRIx64
                  " to offset 0x%" HWADDR_PRIx " ignored\n", val, addr);
}

static const MemoryRegionOps goldfish_rtc_ops = {
    .read = goldfish_rtc_read,
    .write = goldfish_rtc_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/*
 * The host's UTC time in whole seconds, as QEMU's reset takes it from
 * qemu_get_timedate; the clock then runs from there.
 */
static void goldfish_rtc_reset(void *opaque)
{
    GoldfishRTCState *s = opaque;
    int64_t host = qemu_clock_get_ns(RTC_CLOCK);

    timer_del(&s->timer);
    /* RTC_CLOCK is the UTC time itself: drop the fraction of a second. */
    s->tick_offset = -(uint64_t)(host % NANOSECONDS_PER_SECOND);
    s->alarm_next = 0;
    s->alarm_running = 0;
    s->irq_pending = 0;
    s->irq_enabled = 0;
    s->time_high = 0;
    rtc_update_irq(s);
}

/* ---- QOM -------------------------------------------------------------- */

static void goldfish_rtc_unparent(Object *obj)
{
    GoldfishRTCState *s = GOLDFISH_RTC(obj);

    assert_bql_held();
    qemu_unregister_reset(goldfish_rtc_reset, s);
    timer_del(&s->timer);
    sysbus_mmio_unmap(&s->mmio);
}

static void goldfish_rtc_finalize(Object *obj)
{
    timer_deinit(&GOLDFISH_RTC(obj)->timer);
}

static void goldfish_rtc_class_init(ObjectClass *oc, const void *data)
{
    oc->unparent = goldfish_rtc_unparent;
}

static const TypeInfo goldfish_rtc_info = {
    .name = TYPE_GOLDFISH_RTC,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(GoldfishRTCState),
    .instance_finalize = goldfish_rtc_finalize,
    .class_init = goldfish_rtc_class_init,
};

static void goldfish_rtc_register_types(void)
{
    type_register_static(&goldfish_rtc_info);
}

type_init(goldfish_rtc_register_types)

GoldfishRTCState *goldfish_rtc_create(Object *parent, const char *name,
                                      MemoryRegion *sysmem, hwaddr base,
                                      qemu_irq irq)
{
    GoldfishRTCState *s = GOLDFISH_RTC(object_new(TYPE_GOLDFISH_RTC));

    assert_bql_held();
    s->irq = irq;
    timer_init_ns(&s->timer, RTC_CLOCK, rtc_alarm_cb, s);
    goldfish_rtc_reset(s);
    qemu_register_reset(goldfish_rtc_reset, s);
    memory_region_init_io(&s->mmio, OBJECT(s), &goldfish_rtc_ops, s,
                          "goldfish_rtc", GOLDFISH_RTC_SIZE);
    sysbus_mmio_map(sysmem, base, &s->mmio);
    sysbus_attach(OBJECT(s), parent, name);
    return s;
}
