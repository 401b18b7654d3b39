package dev.belay.tool.web;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS to an address that was checked, for a host name that was asked for. Through a proxy, Belay connects to the IP
 * address its egress policy approved (so the proxy resolves nothing), which leaves the TLS layer looking at an IP:
 * this puts the host name back in the handshake (SNI) and verifies the certificate against it, with the system's
 * trusted roots.
 */
final class PinnedTls {

    private PinnedTls() {}

    /** A context whose certificates are checked against {@code host}, whatever address the connection went to. */
    static SSLContext context(String host) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            X509ExtendedTrustManager system = null;
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    system = x;
                }
            }
            if (system == null) {
                throw new IllegalStateException("the JDK offers no X509 trust manager");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new HostTrust(system, host)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    /** Parameters that name {@code host} in the handshake. */
    static SSLParameters parameters(String host) {
        SSLParameters parameters = new SSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        return parameters;
    }

    /**
     * Whether a certificate's DNS names cover a host, as RFC 6125 says: case-insensitive, a wildcard only as the
     * whole left-most label, matching exactly one label.
     */
    static boolean covers(X509Certificate certificate, String host) throws CertificateParsingException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            if (Integer.valueOf(2).equals(name.get(0)) && name.get(1) instanceof String dns && matches(dns, host)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!p.startsWith("*.")) {
            return p.equals(h);
        }
        int dot = h.indexOf('.');
        return dot > 0
                && p.substring(1).equals(h.substring(dot))
                && p.substring(2).contains(".");
    }

    /** The system's chain validation, then the host name check the handshake cannot make against an IP. */
    private static final class HostTrust extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager system;
        private final String host;

        HostTrust(X509ExtendedTrustManager system, String host) {
            this.system = system;
            this.host = host;
        }

        private void check(X509Certificate[] chain, String authType) throws CertificateException {
            system.checkServerTrusted(chain, authType);
            if (chain.length == 0 || !covers(chain[0], host)) {
                throw new CertificateException("the certificate is not for " + host);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("Belay is not a TLS server here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("Belay is not a TLS server here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("Belay is not a TLS server here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return system.getAcceptedIssuers();
        }
    }
}
