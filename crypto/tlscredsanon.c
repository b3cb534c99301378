/*
 * tls-creds-anon: TLS without certificates (anonymous Diffie-Hellman),
 * encryption without authentication of either end.  VNC's VeNCrypt
 * TLSNone and TLSVnc use it.  Corresponds to QEMU's crypto/tlscredsanon.c.
 */
#include "qcore/osdep.h"
#include "qcore/error.h"
#include "qcore/module.h"
#include "tlscredspriv.h"

static bool anon_load(QCryptoTLSCreds *creds, Error **errp)
{
    g_autofree char *dhparams = NULL;
    int ret;

    if (creds->endpoint == QCRYPTO_TLS_CREDS_ENDPOINT_SERVER) {
        /* dir= is optional here: it may hold dh-params.pem. */
        if (!qcrypto_tls_creds_get_path(creds, QCRYPTO_TLS_CREDS_DH_PARAMS,
                                        false, &dhparams, errp)) {
            return false;
        }
        ret = gnutls_anon_allocate_server_credentials(&creds->anon_server);
        if (ret < 0) {
            error_setg(errp, "Cannot allocate credentials: %s",
                       gnutls_strerror(ret));
            return false;
        }
        if (!qcrypto_tls_creds_get_dh_params(creds, dhparams, errp)) {
            return false;
        }
        if (creds->dh_params) {
            gnutls_anon_set_server_dh_params(creds->anon_server,
                                             creds->dh_params);
        } else {
            gnutls_anon_set_server_known_dh_params(creds->anon_server,
                                                   GNUTLS_SEC_PARAM_MEDIUM);
        }
    } else {
        ret = gnutls_anon_allocate_client_credentials(&creds->anon_client);
        if (ret < 0) {
            error_setg(errp, "Cannot allocate credentials: %s",
                       gnutls_strerror(ret));
            return false;
        }
    }
    return true;
}

static void anon_class_init(ObjectClass *oc, const void *data)
{
    QCRYPTO_TLS_CREDS_CLASS(oc)->load = anon_load;
}

static const TypeInfo tls_creds_anon_info = {
    .name = TYPE_QCRYPTO_TLS_CREDS_ANON,
    .parent = TYPE_QCRYPTO_TLS_CREDS,
    .class_init = anon_class_init,
};

static void tls_creds_anon_register_types(void)
{
    type_register_static(&tls_creds_anon_info);
}

type_init(tls_creds_anon_register_types)
