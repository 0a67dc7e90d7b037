package dev.asyncqueue.http;

import dev.asyncqueue.spi.InvokerProvider;

/** Every {@link HttpInvokerTest} on the JDK's client ({@code http-jdk}). */
class JdkHttpInvokerTest extends HttpInvokerTest {

    @Override
    HttpInvoker.Builder builder() {
        return super.builder().engine(HttpEngine.JDK);
    }

    @Override
    InvokerProvider provider() {
        return new JdkHttpInvokerProvider();
    }
}
