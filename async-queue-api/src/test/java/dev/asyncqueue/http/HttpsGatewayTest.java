package dev.asyncqueue.http;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.Providers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tls_insecure}: a gateway with a self-signed certificate is refused unless it is set, and only the gateway. */
class HttpsGatewayTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static SelfSignedHttpsServer gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new SelfSignedHttpsServer(dir);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static InvocationResult call(HttpInvoker invoker) throws Exception {
        return invoker.invoke(Invocation.builder("echo").build()).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void aSelfSignedGatewayIsRefusedByDefault(HttpEngine engine) throws Exception {
        int before = gateway.requests();
        try (HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway.url("127.0.0.1")).engine(engine).build()) {
            InvocationResult result = call(invoker);

            assertTrue(result.isTransportFailure(), result::toString);
            assertEquals(before, gateway.requests(), "nothing reached the function");
        }
    }

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void tlsInsecureCallsTheSelfSignedGateway(HttpEngine engine) throws Exception {
        try (HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway.url("127.0.0.1")).engine(engine)
                .tlsInsecure(true).build()) {
            InvocationResult result = call(invoker);

            assertEquals(200, result.status(), result::toString);
            assertEquals("secure", new String(result.body()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "http-jdk"})
    void theProvidersReadTlsInsecure(String name) throws Exception {
        Map<String, String> settings = Map.of("gateway_url", gateway.url("127.0.0.1").toString(), "tls_insecure", "true");
        try (HttpInvoker invoker = (HttpInvoker) Providers.invoker(name).create(Settings.of(settings))) {
            assertEquals(200, call(invoker).status());
        }
    }

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void tlsInsecureLeavesCallbacksToOtherHostsVerified(HttpEngine engine) throws Exception {
        try (HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway.url("127.0.0.1")).engine(engine)
                .tlsInsecure(true).build();
             HttpCallbackSender callbacks = invoker.callbackSender(Duration.ofSeconds(10))) {
            InvocationResult result = call(invoker);
            // The same server under another name is not the gateway: its certificate is checked.
            Callback callback = new Callback(gateway.url("localhost").resolve("/callback"),
                    Invocation.builder("echo").build(), result, 0, 1);

            assertThrows(ExecutionException.class,
                    () -> callbacks.send(callback).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
