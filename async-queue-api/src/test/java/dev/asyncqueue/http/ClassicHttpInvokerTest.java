package dev.asyncqueue.http;

/** Every {@link HttpInvokerTest} on Apache HttpClient 5 classic: blocking calls on a pool of threads. */
class ClassicHttpInvokerTest extends HttpInvokerTest {

    @Override
    HttpInvoker.Builder builder() {
        return super.builder().engine(HttpEngine.APACHE_CLASSIC);
    }
}
