package dev.asyncqueue.http;

import java.net.URI;
import java.time.Duration;

/** Every {@link HttpCallbackSenderTest} on Apache HttpClient 5 classic: the sender of such an invoker. */
class ClassicHttpCallbackSenderTest extends HttpCallbackSenderTest {
    private HttpInvoker invoker;

    @Override
    HttpCallbackSender newSender(Duration timeout) {
        invoker = HttpInvoker.builder().gatewayUrl(URI.create("http://127.0.0.1:1")).engine(HttpEngine.APACHE_CLASSIC)
                .build();
        return invoker.callbackSender(timeout);
    }

    @Override
    void stopMore() {
        invoker.close();
    }
}
