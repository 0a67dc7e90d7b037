package dev.asyncqueue.http;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;

/** How the library's JDK HTTP clients are made and which protocol version a request asks for. */
final class JdkHttpClients {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private JdkHttpClients() {
    }

    /**
     * A client on {@code executor} that never follows redirects: a function or callback receiver must not send
     * the worker elsewhere. {@code tls} null verifies servers as the platform does.
     */
    static HttpClient create(Executor executor, SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) builder.sslContext(tls);
        return builder.build();
    }

    /**
     * HTTP/1.1 for cleartext: the JDK's HTTP/2 default would add {@code Upgrade: h2c} to every request, which
     * a reverse proxy treats as a protocol switch. Over TLS, HTTP/2 is negotiated without headers.
     */
    static HttpClient.Version versionFor(URI url) {
        return "https".equalsIgnoreCase(url.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
    }
}
