/*
 * WebSockets (RFC 6455) for the VNC server: the HTTP upgrade handshake and
 * the framing of the RFB byte stream, so browsers (noVNC) connect directly.
 * Corresponds to QEMU's io/channel-websock.c (as ui/vnc-ws.c uses it).
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "vnc.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/* As QEMU: noVNC's request is about 512 bytes. */
#define WS_MAX_REQUEST 4096
#define WS_MAX_HEADERS 32
#define WS_KEY_LEN 24

enum {
    WS_OP_CONTINUATION = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xa,
};

VncWs *vncws_new(void)
{
    VncWs *ws = g_new0(VncWs, 1);

    ws->request = g_byte_array_new();
    ws->wire = g_byte_array_new();
    return ws;
}

void vncws_free(VncWs *ws)
{
    if (ws) {
        g_byte_array_unref(ws->request);
        g_byte_array_unref(ws->wire);
        g_free(ws);
    }
}

/* ---- the HTTP upgrade --------------------------------------------------- */

static void ws_reply(VncWs *ws, const char *status, const char *extra)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *date = g_date_time_format(now,
                                               "%a, %d %b %Y %H:%M:%S GMT");
    g_autofree char *msg = g_strdup_printf("HTTP/1.1 %s\r\n"
                                           "Server: QEMU VNC\r\n"
                                           "Date: %s\r\n"
                                           "%s\r\n", status, date, extra);

    g_byte_array_append(ws->wire, (guint8 *)msg, strlen(msg));
}

static void ws_bad_request(VncWs *ws)
{
    ws_reply(ws, "400 Bad Request",
             "Connection: close\r\nSec-WebSocket-Version: 13\r\n");
}

/* Whether the comma-separated header @value lists @token (any case). */
static bool ws_has_token(const char *value, const char *token)
{
    g_auto(GStrv) parts = g_strsplit(value, ",", -1);
    int i;

    for (i = 0; parts[i]; i++) {
        if (!g_ascii_strcasecmp(g_strstrip(parts[i]), token)) {
            return true;
        }
    }
    return false;
}

/* The request's text without its blank line: checked, answered. */
static bool ws_process_request(VncWs *ws, char *req, Error **errp)
{
    g_auto(GStrv) lines = g_strsplit(req, "\r\n", -1);
    g_auto(GStrv) start = NULL;
    const char *protocols = NULL, *version = NULL, *key = NULL;
    const char *host = NULL, *connection = NULL, *upgrade = NULL;
    g_autofree char *combined = NULL, *accept = NULL, *extra = NULL;
    guint8 digest[20];
    gsize digest_len = sizeof(digest);
    GChecksum *sha1;
    int i;

    start = g_strsplit(lines[0] ? lines[0] : "", " ", 3);
    if (!start[0] || !start[1] || !start[2]) {
        error_setg(errp, "Malformed HTTP request line");
        goto bad;
    }
    if (strcmp(start[0], "GET")) {
        error_setg(errp, "Unsupported HTTP method %s", start[0]);
        goto bad;
    }
    if (strcmp(start[2], "HTTP/1.1")) {
        error_setg(errp, "Unsupported HTTP version %s", start[2]);
        goto bad;
    }
    if (strcmp(start[1], "/")) {
        ws_reply(ws, "404 Not Found", "Connection: close\r\n");
        error_setg(errp, "Unexpected HTTP path %s", start[1]);
        return false;
    }
    for (i = 1; lines[i]; i++) {
        char *sep = strchr(lines[i], ':');
        char *value;

        if (!sep) {
            error_setg(errp, "Malformed HTTP header");
            goto bad;
        }
        if (i > WS_MAX_HEADERS) {
            error_setg(errp, "Too many HTTP headers");
            goto bad;
        }
        *sep = '\0';
        value = g_strstrip(sep + 1);
        if (!g_ascii_strcasecmp(lines[i], "sec-websocket-protocol")) {
            protocols = value;
        } else if (!g_ascii_strcasecmp(lines[i], "sec-websocket-version")) {
            version = value;
        } else if (!g_ascii_strcasecmp(lines[i], "sec-websocket-key")) {
            key = value;
        } else if (!g_ascii_strcasecmp(lines[i], "host")) {
            host = value;
        } else if (!g_ascii_strcasecmp(lines[i], "connection")) {
            connection = value;
        } else if (!g_ascii_strcasecmp(lines[i], "upgrade")) {
            upgrade = value;
        }
    }
    if (!version) {
        error_setg(errp, "Missing websocket version header data");
        goto bad;
    }
    if (!key) {
        error_setg(errp, "Missing websocket key header data");
        goto bad;
    }
    if (!host) {
        error_setg(errp, "Missing websocket host header data");
        goto bad;
    }
    if (!connection) {
        error_setg(errp, "Missing websocket connection header data");
        goto bad;
    }
    if (!upgrade) {
        error_setg(errp, "Missing websocket upgrade header data");
        goto bad;
    }
    /* noVNC 1.x asks for no subprotocol; older clients ask for binary. */
    if (protocols && !ws_has_token(protocols, "binary")) {
        error_setg(errp, "No 'binary' protocol is supported by client '%s'",
                   protocols);
        goto bad;
    }
    if (strcmp(version, "13")) {
        error_setg(errp, "Version '13' is not supported by client '%s'",
                   version);
        goto bad;
    }
    if (strlen(key) != WS_KEY_LEN) {
        error_setg(errp, "Key length '%zu' was not as expected '%d'",
                   strlen(key), WS_KEY_LEN);
        goto bad;
    }
    if (!ws_has_token(connection, "upgrade")) {
        error_setg(errp, "No connection upgrade requested '%s'", connection);
        goto bad;
    }
    if (g_ascii_strcasecmp(upgrade, "websocket")) {
        error_setg(errp, "Incorrect upgrade method '%s'", upgrade);
        goto bad;
    }

    /* Sec-WebSocket-Accept: base64(SHA-1(key + GUID)), RFC 6455 4.2.2. */
    combined = g_strconcat(key, WS_GUID, NULL);
    sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha1, (guchar *)combined, strlen(combined));
    g_checksum_get_digest(sha1, digest, &digest_len);
    g_checksum_free(sha1);
    accept = g_base64_encode(digest, digest_len);
    extra = g_strdup_printf("Upgrade: websocket\r\n"
                            "Connection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: %s\r\n%s", accept,
                            protocols ? "Sec-WebSocket-Protocol: binary\r\n"
                                      : "");
    ws_reply(ws, "101 Switching Protocols", extra);
    return true;

bad:
    ws_bad_request(ws);
    return false;
}

int vncws_handshake(VncWs *ws, const uint8_t *data, size_t len,
                    size_t *used, Error **errp)
{
    size_t old = ws->request->len, take;
    const char *end;
    g_autofree char *req = NULL;

    /* Take no more than the request may be; the rest stays for frames. */
    take = MIN(len, WS_MAX_REQUEST - old);
    g_byte_array_append(ws->request, data, take);
    end = g_strstr_len((char *)ws->request->data, ws->request->len,
                       "\r\n\r\n");
    if (!end) {
        *used = take;
        if (ws->request->len >= WS_MAX_REQUEST) {
            ws_reply(ws, "403 Request Entity Too Large",
                     "Connection: close\r\n");
            error_setg(errp, "End of headers not found in first %d bytes",
                       WS_MAX_REQUEST);
            return -1;
        }
        return 0;
    }
    req = g_strndup((char *)ws->request->data,
                    end - (char *)ws->request->data);
    if (memchr(req, '\0', end - (char *)ws->request->data)) {
        ws_bad_request(ws);
        error_setg(errp, "NUL byte in the HTTP request");
        return -1;
    }
    /* Bytes of this read past the blank line belong to the first frame. */
    *used = end + 4 - (char *)ws->request->data - old;
    g_byte_array_set_size(ws->request, 0);
    if (!ws_process_request(ws, req, errp)) {
        return -1;
    }
    ws->upgraded = true;
    return 1;
}

/* ---- frames ------------------------------------------------------------- */

void vncws_encode(VncWs *ws, uint8_t opcode, const uint8_t *data, size_t len)
{
    uint8_t hdr[10];
    size_t n = 2;
    int i;

    hdr[0] = 0x80 | opcode;             /* FIN: one frame per message */
    if (len < 126) {
        hdr[1] = len;                   /* servers never mask (5.1) */
    } else if (len <= 0xffff) {
        hdr[1] = 126;
        hdr[2] = len >> 8;
        hdr[3] = len;
        n = 4;
    } else {
        hdr[1] = 127;
        for (i = 0; i < 8; i++) {
            hdr[2 + i] = (uint64_t)len >> (56 - 8 * i);
        }
        n = 10;
    }
    g_byte_array_append(ws->wire, hdr, n);
    g_byte_array_append(ws->wire, data, len);
}

/* Answer a close frame (echoing its status code, as QEMU does). */
static void ws_send_close(VncWs *ws, uint16_t code, const char *reason)
{
    uint8_t buf[125];
    size_t n = MIN(strlen(reason), sizeof(buf) - 2);

    buf[0] = code >> 8;
    buf[1] = code;
    memcpy(buf + 2, reason, n);
    vncws_encode(ws, WS_OP_CLOSE, buf, n + 2);
    ws->close_sent = true;
}

/* A frame header is complete in ws->hdr: check it and set up its payload. */
static int ws_start_frame(VncWs *ws, Error **errp)
{
    bool fin = ws->hdr[0] & 0x80;
    uint8_t opcode = ws->hdr[0] & 0x0f;
    uint64_t len = ws->hdr[1] & 0x7f;
    const uint8_t *mask;
    int i;

    if (ws->hdr[0] & 0x70) {
        error_setg(errp, "websocket frame has reserved bits set 0x%x "
                   "(no extension was negotiated)", ws->hdr[0] & 0x70);
        return -1;
    }
    if (len == 126) {
        len = ws->hdr[2] << 8 | ws->hdr[3];
        mask = ws->hdr + 4;
    } else if (len == 127) {
        len = 0;
        for (i = 0; i < 8; i++) {
            len = len << 8 | ws->hdr[2 + i];
        }
        mask = ws->hdr + 10;
    } else {
        mask = ws->hdr + 2;
    }
    switch (opcode) {
    case WS_OP_CLOSE:
    case WS_OP_PING:
    case WS_OP_PONG:
        if (!fin || len > 125) {
            error_setg(errp, "websocket control frame is %s",
                       fin ? "too large" : "fragmented");
            return -1;
        }
        break;
    case WS_OP_BINARY:
        if (ws->in_message) {
            error_setg(errp, "new websocket message inside a fragmented one");
            return -1;
        }
        ws->in_message = !fin;
        break;
    case WS_OP_CONTINUATION:
        if (!ws->in_message) {
            error_setg(errp, "websocket continuation frame without a "
                       "message to continue");
            return -1;
        }
        ws->in_message = !fin;
        break;
    default:
        error_setg(errp, "unsupported opcode: %#04x; only binary, ping, "
                   "pong and close websocket frames are supported", opcode);
        return -1;
    }
    /*
     * Payload is streamed, never held whole, but a frame longer than any
     * RFB message a client may send is not a client's.
     */
    if (len > VNC_WS_MAX_PAYLOAD) {
        error_setg(errp, "websocket frame payload of %" PRIu64 " bytes "
                   "exceeds our limit of %d bytes", len, VNC_WS_MAX_PAYLOAD);
        return -1;
    }
    ws->opcode = opcode;
    ws->remain = len;
    memcpy(ws->mask, mask, 4);
    ws->mask_pos = 0;
    ws->ctl_len = 0;
    return 0;
}

static size_t ws_header_size(const uint8_t *hdr)
{
    switch (hdr[1] & 0x7f) {
    case 126:
        return 2 + 2 + 4;
    case 127:
        return 2 + 8 + 4;
    default:
        return 2 + 4;
    }
}

/* A control frame's payload is all in: act on it. */
static int ws_end_control(VncWs *ws, Error **errp)
{
    switch (ws->opcode) {
    case WS_OP_PING:
        vncws_encode(ws, WS_OP_PONG, ws->ctl, ws->ctl_len);
        return 0;
    case WS_OP_CLOSE:
        if (ws->ctl_len == 1) {
            error_setg(errp, "websocket close frame with a 1-byte payload");
            return -1;
        }
        ws_send_close(ws, 1000, "peer requested close");
        return 1;
    default:                            /* pong: nothing to do */
        return 0;
    }
}

int vncws_decode(VncWs *ws, const uint8_t *data, size_t len,
                 GByteArray *payload, Error **errp)
{
    while (len) {
        size_t n;

        if (ws->hdr_len < 2 || ws->hdr_len < ws_header_size(ws->hdr)) {
            size_t want = ws->hdr_len < 2 ? 2 : ws_header_size(ws->hdr);

            n = MIN(want - ws->hdr_len, len);
            memcpy(ws->hdr + ws->hdr_len, data, n);
            ws->hdr_len += n;
            data += n;
            len -= n;
            /* Unmasked: refused at once (no mask is coming to wait for). */
            if (ws->hdr_len >= 2 && !(ws->hdr[1] & 0x80)) {
                error_setg(errp, "client websocket frames must be masked");
                ws_send_close(ws, 1002, "protocol error");
                return -1;
            }
            if (ws->hdr_len < 2 || ws->hdr_len < ws_header_size(ws->hdr)) {
                continue;
            }
            /* An empty payload ends the frame below, at once. */
            if (ws_start_frame(ws, errp) < 0) {
                ws_send_close(ws, 1002, "protocol error");
                return -1;
            }
        }
        n = MIN(ws->remain, len);
        if (ws->opcode & 0x8) {
            for (size_t i = 0; i < n; i++) {
                ws->ctl[ws->ctl_len++] = data[i] ^ ws->mask[ws->mask_pos++ & 3];
            }
        } else {
            size_t at = payload->len;

            g_byte_array_set_size(payload, at + n);
            for (size_t i = 0; i < n; i++) {
                payload->data[at + i] = data[i] ^ ws->mask[ws->mask_pos++ & 3];
            }
        }
        ws->remain -= n;
        data += n;
        len -= n;
        if (!ws->remain) {
            ws->hdr_len = 0;            /* the next frame */
            if (ws->opcode & 0x8) {
                int ret = ws_end_control(ws, errp);
                if (ret) {
                    return ret;
                }
            }
        }
    }
    return 0;
}
