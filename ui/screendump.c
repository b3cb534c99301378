/*
 * screendump: a console's surface saved as PPM (P6) or PNG (libpng), for
 * QMP `screendump` and HMP `screendump`.  Corresponds to the screendump
 * part of QEMU's ui/console.c (qmp_screendump, ppm_save, png_save) and
 * hmp_screendump in monitor/hmp-cmds.c.
 */
#include "qcore/osdep.h"
#include "qcore/console.h"
#include "qcore/monitor.h"
#include "qapi/qapi-commands.h"
#include "qapi/util.h"
#include "qcore/qobject.h"
#include <png.h>

/* One row of @image (x8r8g8b8) as 8-bit R, G, B. */
static void row_to_rgb(pixman_image_t *image, int y, uint8_t *out)
{
    const uint32_t *px = (const uint32_t *)
        ((const uint8_t *)pixman_image_get_data(image) +
         (size_t)y * pixman_image_get_stride(image));
    int width = pixman_image_get_width(image);

    for (int x = 0; x < width; x++) {
        out[3 * x] = px[x] >> 16;
        out[3 * x + 1] = px[x] >> 8;
        out[3 * x + 2] = px[x];
    }
}

static bool write_all(FILE *f, const void *buf, size_t len, Error **errp)
{
    if (fwrite(buf, 1, len, f) != len) {
        error_setg_errno(errp, errno, "Unable to write to file");
        return false;
    }
    return true;
}

static bool ppm_save(FILE *f, pixman_image_t *image, Error **errp)
{
    int width = pixman_image_get_width(image);
    int height = pixman_image_get_height(image);
    g_autofree char *header = g_strdup_printf("P6\n%d %d\n%d\n", width,
                                              height, 255);
    g_autofree uint8_t *line = g_malloc((size_t)width * 3);

    if (!write_all(f, header, strlen(header), errp)) {
        return false;
    }
    for (int y = 0; y < height; y++) {
        row_to_rgb(image, y, line);
        if (!write_all(f, line, (size_t)width * 3, errp)) {
            return false;
        }
    }
    return true;
}

static bool png_save(FILE *f, pixman_image_t *image, Error **errp)
{
    int width = pixman_image_get_width(image);
    int height = pixman_image_get_height(image);
    /* volatile: kept across libpng's longjmp */
    uint8_t *volatile line = NULL;
    png_structp png;
    png_infop info;

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png) {
        error_setg(errp, "PNG creation failed. Unable to write struct");
        return false;
    }
    info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        error_setg(errp, "PNG creation failed. Unable to write info");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        g_free(line);
        error_setg(errp, "PNG creation failed. Unable to write file");
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    line = g_malloc((size_t)width * 3);
    for (int y = 0; y < height; y++) {
        row_to_rgb(image, y, line);
        png_write_row(png, line);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    g_free(line);
    return true;
}

void qmp_screendump(const char *filename, const char *device, bool has_head,
                    int64_t head, bool has_format, ImageFormat format,
                    Error **errp)
{
    pixman_image_t *image;
    DisplaySurface *surface;
    QemuConsole *con;
    FILE *f;
    bool ok;

    if (device) {
        if (has_head && (head < 0 || head > UINT32_MAX)) {
            error_setg(errp, "Device %s (head %" PRId64 ") is not bound to "
                       "a QemuConsole", device, head);
            return;
        }
        con = qemu_console_lookup_by_device_name(device, has_head ? head : 0,
                                                 errp);
        if (!con) {
            return;
        }
    } else {
        if (has_head) {
            error_setg(errp, "'head' must be specified together with "
                       "'device'");
            return;
        }
        con = qemu_console_lookup_by_index(0);
        if (!con) {
            error_setg(errp, "There is no console to take a screendump "
                       "from.");
            return;
        }
    }
    surface = qemu_console_surface(con);
    if (!surface) {
        error_setg(errp, "no surface");
        return;
    }
    /* Our own reference: the console may replace its surface later. */
    image = pixman_image_ref(surface->image);

    f = fopen(filename, "wb");
    if (!f) {
        error_setg(errp, "failed to open file '%s': %s", filename,
                   g_strerror(errno));
        pixman_image_unref(image);
        return;
    }
    if (has_format && format == IMAGE_FORMAT_PNG) {
        ok = png_save(f, image, errp);
    } else {
        ok = ppm_save(f, image, errp);
    }
    if (fclose(f) != 0 && ok) {
        error_setg_errno(errp, errno, "Unable to write to file");
        ok = false;
    }
    if (!ok) {
        unlink(filename);
    }
    pixman_image_unref(image);
}

void hmp_screendump(Monitor *mon, const QDict *qdict)
{
    const char *filename = qdict_get_str(qdict, "filename");
    const char *id = qdict_get_try_str(qdict, "device");
    int64_t head = qdict_get_try_int(qdict, "head", 0);
    const char *input_format = qdict_get_try_str(qdict, "format");
    Error *err = NULL;
    ImageFormat format;

    format = qapi_enum_parse(&ImageFormat_lookup, input_format,
                             IMAGE_FORMAT_PPM, &err);
    if (!err) {
        qmp_screendump(filename, id, id != NULL, head, input_format != NULL,
                       format, &err);
    }
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}
