package dev.asyncqueue.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * {@code tls_insecure}: accepts whatever certificate the gateway shows, and verifies every other server
 * (callback receivers) with the platform's trust store and host name check, so switching it on for a
 * test gateway does not open callbacks to impostors.
 */
final class GatewayTrust extends X509ExtendedTrustManager {
    private final String gatewayHost;
    private final int gatewayPort;
    private final X509ExtendedTrustManager verifying;

    private GatewayTrust(URI gateway, X509ExtendedTrustManager verifying) {
        this.gatewayHost = unbracketed(gateway.getHost());
        this.gatewayPort = gateway.getPort() >= 0 ? gateway.getPort() : "https".equalsIgnoreCase(gateway.getScheme()) ? 443 : 80;
        this.verifying = verifying;
    }

    /** A TLS context that trusts the gateway at {@code gateway} unverified and verifies everyone else. */
    static SSLContext context(URI gateway) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            X509ExtendedTrustManager platform = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) platform = x509;
            }
            if (platform == null) throw new IllegalStateException("the platform has no X.509 trust manager");
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{new GatewayTrust(gateway, platform)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
    }

    private boolean isGateway(String host, int port) {
        return host != null && port == gatewayPort && unbracketed(host).equals(gatewayHost);
    }

    private boolean isGateway(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            SSLSession session = ssl.getHandshakeSession();
            return session != null && isGateway(session.getPeerHost(), session.getPeerPort());
        }
        return false;
    }

    private static String unbracketed(String host) {
        if (host == null) return "";
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (!isGateway(socket)) verifying.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (engine == null || !isGateway(engine.getPeerHost(), engine.getPeerPort())) {
            verifying.checkServerTrusted(chain, authType, engine);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        // Without a connection the peer is unknown: verify.
        verifying.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verifying.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verifying.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verifying.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return verifying.getAcceptedIssuers();
    }
}
