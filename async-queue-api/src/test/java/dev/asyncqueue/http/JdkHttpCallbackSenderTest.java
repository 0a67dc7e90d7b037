package dev.asyncqueue.http;

import java.net.URI;
import java.time.Duration;

/** Every {@link HttpCallbackSenderTest} on the JDK's client: the sender of an {@code http-jdk} invoker. */
class JdkHttpCallbackSenderTest extends HttpCallbackSenderTest {
    private HttpInvoker invoker;

    @Override
    HttpCallbackSender newSender(Duration timeout) {
        invoker = HttpInvoker.builder().gatewayUrl(URI.create("http://127.0.0.1:1")).engine(HttpEngine.JDK).build();
        return invoker.callbackSender(timeout);
    }

    @Override
    void stopMore() {
        invoker.close();
    }
}
