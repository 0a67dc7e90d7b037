package dev.asyncqueue.spi;

import dev.asyncqueue.http.HttpInvokerProvider;
import dev.asyncqueue.http.JdkHttpInvokerProvider;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvidersTest {

    @Test
    void theHttpInvokerIsFoundByName() {
        InvokerProvider provider = Providers.invoker("http");
        assertInstanceOf(HttpInvokerProvider.class, provider);
        assertEquals("http", provider.name());
    }

    @Test
    void theJdkHttpInvokerIsFoundByName() {
        InvokerProvider provider = Providers.invoker("http-jdk");
        assertInstanceOf(JdkHttpInvokerProvider.class, provider);
        assertEquals("http-jdk", provider.name());
    }

    @Test
    void anUnknownInvokerNameFailsListingWhatWasFound() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Providers.invoker("grpc"));
        assertTrue(e.getMessage().contains("'grpc'"), e.getMessage());
        assertTrue(e.getMessage().contains("InvokerProvider"), e.getMessage());
        assertTrue(e.getMessage().contains("found [http, http-jdk]"), e.getMessage());
    }

    @Test
    void aLimiterNameWithNoProvidersOnTheClassPathSaysNoneWasFound() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Providers.limiter("adaptive"));
        assertTrue(e.getMessage().contains("'adaptive'") && e.getMessage().contains("found none"), e.getMessage());
    }

    @Test
    void availableListsTheNamesThatLoad() {
        assertEquals(List.of("http", "http-jdk"), Providers.available(InvokerProvider.class, InvokerProvider::name));
    }
}
