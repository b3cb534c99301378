/*
 * Unit tests of the VNC server's websocket layer (ui/vnc-ws.c): the
 * upgrade handshake (RFC 6455's own example key), frame decoding fed in
 * every split, the three payload-length forms, control frames and the
 * refusals.  QEMU's counterpart: tests/unit/test-io-channel-websock.c
 * does not exist; QEMU tests websockets through its VNC iotests.
 */
#include "qcore/osdep.h"
#include "vnc.h"

static const char request[] =
    "GET / HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

static VncWs *upgraded(void)
{
    VncWs *ws = vncws_new();
    size_t used;

    g_assert_cmpint(vncws_handshake(ws, (const uint8_t *)request,
                                    strlen(request), &used, &error_abort),
                    ==, 1);
    g_byte_array_set_size(ws->wire, 0);
    return ws;
}

/* A client frame: masked with @key. */
static GByteArray *frame(uint8_t b0, const void *data, uint64_t len,
                         const uint8_t key[4])
{
    GByteArray *f = g_byte_array_new();
    uint8_t hdr[10];
    size_t n = 2;

    hdr[0] = b0;
    if (len < 126) {
        hdr[1] = 0x80 | len;
    } else if (len <= 0xffff) {
        hdr[1] = 0x80 | 126;
        hdr[2] = len >> 8;
        hdr[3] = len;
        n = 4;
    } else {
        hdr[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++) {
            hdr[2 + i] = len >> (56 - 8 * i);
        }
        n = 10;
    }
    g_byte_array_append(f, hdr, n);
    g_byte_array_append(f, key, 4);
    for (uint64_t i = 0; data && i < len; i++) {
        uint8_t b = ((const uint8_t *)data)[i] ^ key[i % 4];
        g_byte_array_append(f, &b, 1);
    }
    return f;
}

static void test_handshake_rfc_example(void)
{
    VncWs *ws = vncws_new();
    g_autofree char *reply = NULL;
    size_t used, half = 20;

    /* In two pieces: the first is not enough. */
    g_assert_cmpint(vncws_handshake(ws, (const uint8_t *)request, half,
                                    &used, &error_abort), ==, 0);
    g_assert_cmpuint(used, ==, half);
    g_assert_cmpint(vncws_handshake(ws, (const uint8_t *)request + half,
                                    strlen(request) - half, &used,
                                    &error_abort), ==, 1);
    g_assert_cmpuint(used, ==, strlen(request) - half);
    g_assert_true(ws->upgraded);
    reply = g_strndup((char *)ws->wire->data, ws->wire->len);
    g_assert_true(g_str_has_prefix(reply,
                                   "HTTP/1.1 101 Switching Protocols\r\n"));
    /* RFC 6455 section 1.3's worked example. */
    g_assert_nonnull(strstr(reply, "\r\nSec-WebSocket-Accept: "
                            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    g_assert_null(strstr(reply, "Sec-WebSocket-Protocol"));
    g_assert_true(g_str_has_suffix(reply, "\r\n\r\n"));
    vncws_free(ws);
}

static void test_handshake_refusals(void)
{
    static const struct {
        const char *req, *status, *error;
    } cases[] = {
        { "GET /x HTTP/1.1\r\n\r\n", "HTTP/1.1 404",
          "Unexpected HTTP path /x" },
        { "\r\n\r\n", "HTTP/1.1 400", "Malformed HTTP request line" },
        { "GET /\r\n\r\n", "HTTP/1.1 400", "Malformed HTTP request line" },
        { "GET / HTTP/1.0\r\n\r\n", "HTTP/1.1 400",
          "Unsupported HTTP version HTTP/1.0" },
        { "GET / HTTP/1.1\r\nbroken\r\n\r\n", "HTTP/1.1 400",
          "Malformed HTTP header" },
        { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400",
          "Missing websocket version header data" },
        { "GET / HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Connection: keep-alive\r\nUpgrade: websocket\r\n\r\n",
          "HTTP/1.1 400", "No connection upgrade requested 'keep-alive'" },
        { "GET / HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
          "HTTP/1.1 400", "Incorrect upgrade method 'h2c'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        VncWs *ws = vncws_new();
        Error *err = NULL;
        size_t used;

        g_assert_cmpint(vncws_handshake(ws, (const uint8_t *)cases[i].req,
                                        strlen(cases[i].req), &used, &err),
                        ==, -1);
        g_assert_cmpstr(error_get_pretty(err), ==, cases[i].error);
        g_assert_true(g_str_has_prefix((char *)ws->wire->data,
                                       cases[i].status));
        error_free(err);
        vncws_free(ws);
    }
}

static void test_handshake_too_long(void)
{
    VncWs *ws = vncws_new();
    g_autofree char *junk = g_strnfill(3000, 'x');
    Error *err = NULL;
    size_t used;

    g_assert_cmpint(vncws_handshake(ws, (uint8_t *)junk, 3000, &used, &err),
                    ==, 0);
    g_assert_cmpint(vncws_handshake(ws, (uint8_t *)junk, 3000, &used, &err),
                    ==, -1);
    /* Never more than 4096 bytes held. */
    g_assert_cmpuint(ws->request->len, ==, 4096);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "End of headers not found in first 4096 bytes");
    error_free(err);
    vncws_free(ws);
}

/* Every payload-length form, fed whole and then one byte at a time. */
static void test_decode_lengths_and_splits(void)
{
    static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
    static const size_t sizes[] = { 0, 1, 125, 126, 65535, 65536, 70001 };

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_autofree uint8_t *data = g_malloc(sizes[i] + 1);
        g_autoptr(GByteArray) f = NULL;
        g_autoptr(GByteArray) out = g_byte_array_new();
        VncWs *ws = upgraded();

        for (size_t j = 0; j < sizes[i]; j++) {
            data[j] = j * 7 + 3;
        }
        f = frame(0x82, data, sizes[i], key);
        g_assert_cmpint(vncws_decode(ws, f->data, f->len, out,
                                     &error_abort), ==, 0);
        g_assert_cmpuint(out->len, ==, sizes[i]);
        g_assert_true(!sizes[i] || !memcmp(out->data, data, sizes[i]));
        g_byte_array_set_size(out, 0);
        if (sizes[i] < 70000) {
            for (size_t j = 0; j < f->len; j++) {
                g_assert_cmpint(vncws_decode(ws, f->data + j, 1, out,
                                             &error_abort), ==, 0);
            }
            g_assert_cmpuint(out->len, ==, sizes[i]);
            g_assert_true(!sizes[i] || !memcmp(out->data, data, sizes[i]));
        }
        g_assert_cmpuint(ws->wire->len, ==, 0);
        vncws_free(ws);
    }
}

static void test_fragments_ping_close(void)
{
    static const uint8_t key[4] = { 1, 2, 3, 4 };
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GByteArray) a = frame(0x02, "RFB ", 4, key);
    g_autoptr(GByteArray) ping = frame(0x89, "hi", 2, key);
    g_autoptr(GByteArray) b = frame(0x00, "003.", 4, key);
    g_autoptr(GByteArray) c = frame(0x80, "008\n", 4, key);
    g_autoptr(GByteArray) close = frame(0x88, "\x03\xe8", 2, key);
    VncWs *ws = upgraded();

    /* A ping may come between the fragments of a message. */
    g_assert_cmpint(vncws_decode(ws, a->data, a->len, out, &error_abort),
                    ==, 0);
    g_assert_cmpint(vncws_decode(ws, ping->data, ping->len, out,
                                 &error_abort), ==, 0);
    g_assert_cmpint(vncws_decode(ws, b->data, b->len, out, &error_abort),
                    ==, 0);
    g_assert_cmpint(vncws_decode(ws, c->data, c->len, out, &error_abort),
                    ==, 0);
    g_assert_cmpmem(out->data, out->len, "RFB 003.008\n", 12);
    g_assert_cmpmem(ws->wire->data, ws->wire->len, "\x8a\x02hi", 4);
    g_byte_array_set_size(ws->wire, 0);
    g_assert_cmpint(vncws_decode(ws, close->data, close->len, out,
                                 &error_abort), ==, 1);
    g_assert_cmpmem(ws->wire->data, ws->wire->len,
                    "\x88\x16\x03\xe8peer requested close", 24);
    vncws_free(ws);
}

static void test_encode(void)
{
    VncWs *ws = vncws_new();
    g_autofree uint8_t *big = g_malloc0(70000);

    vncws_encode(ws, 2, (const uint8_t *)"abc", 3);
    g_assert_cmpmem(ws->wire->data, ws->wire->len, "\x82\x03" "abc", 5);
    g_byte_array_set_size(ws->wire, 0);
    vncws_encode(ws, 2, big, 300);
    g_assert_cmpmem(ws->wire->data, 4, "\x82\x7e\x01\x2c", 4);
    g_byte_array_set_size(ws->wire, 0);
    vncws_encode(ws, 2, big, 70000);
    g_assert_cmpmem(ws->wire->data, 10,
                    "\x82\x7f\0\0\0\0\0\x01\x11\x70", 10);
    g_assert_cmpuint(ws->wire->len, ==, 70010);
    vncws_free(ws);
}

static void test_refusals(void)
{
    static const uint8_t key[4] = { 9, 9, 9, 9 };
    static const struct {
        uint8_t b0;
        uint64_t len;
        const char *error;
    } cases[] = {
        { 0x81, 3, "unsupported opcode: 0x01; only binary, ping, pong and "
                   "close websocket frames are supported" },
        { 0x83, 3, "unsupported opcode: 0x03; only binary, ping, pong and "
                   "close websocket frames are supported" },
        { 0xc2, 3, "websocket frame has reserved bits set 0x40 (no "
                   "extension was negotiated)" },
        { 0x80, 3, "websocket continuation frame without a message to "
                   "continue" },
        { 0x89, 126, "websocket control frame is too large" },
        { 0x09, 3, "websocket control frame is fragmented" },
        { 0x82, VNC_WS_MAX_PAYLOAD + 1ULL,
          "websocket frame payload of 2097153 bytes exceeds our limit of "
          "2097152 bytes" },
        { 0x82, 1ULL << 63, "websocket frame payload of "
          "9223372036854775808 bytes exceeds our limit of 2097152 bytes" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) out = g_byte_array_new();
        g_autoptr(GByteArray) f = frame(cases[i].b0, NULL, cases[i].len,
                                        key);
        VncWs *ws = upgraded();
        Error *err = NULL;

        g_assert_cmpint(vncws_decode(ws, f->data, f->len, out, &err), ==,
                        -1);
        g_assert_cmpstr(error_get_pretty(err), ==, cases[i].error);
        g_assert_cmpmem(ws->wire->data, ws->wire->len,
                        "\x88\x10\x03\xeaprotocol error", 18);
        g_assert_cmpuint(out->len, ==, 0);
        error_free(err);
        vncws_free(ws);
    }
}

static void test_unmasked(void)
{
    static const uint8_t f[] = { 0x82, 0x03, 'a', 'b', 'c' };
    g_autoptr(GByteArray) out = g_byte_array_new();
    VncWs *ws = upgraded();
    Error *err = NULL;

    g_assert_cmpint(vncws_decode(ws, f, sizeof(f), out, &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "client websocket frames must be masked");
    error_free(err);
    vncws_free(ws);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vnc-ws/handshake/rfc-example",
                    test_handshake_rfc_example);
    g_test_add_func("/vnc-ws/handshake/refusals", test_handshake_refusals);
    g_test_add_func("/vnc-ws/handshake/too-long", test_handshake_too_long);
    g_test_add_func("/vnc-ws/decode/lengths", test_decode_lengths_and_splits);
    g_test_add_func("/vnc-ws/decode/fragments-ping-close",
                    test_fragments_ping_close);
    g_test_add_func("/vnc-ws/encode", test_encode);
    g_test_add_func("/vnc-ws/decode/refusals", test_refusals);
    g_test_add_func("/vnc-ws/decode/unmasked", test_unmasked);
    return g_test_run();
}
