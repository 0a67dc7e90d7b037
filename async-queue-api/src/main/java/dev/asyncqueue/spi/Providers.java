package dev.asyncqueue.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/** Finds providers on the class path by name, with one clear error when the name is not there. */
public final class Providers {
    private static final Logger log = LoggerFactory.getLogger(Providers.class);

    private Providers() {
    }

    /** The invoker provider called {@code name}. */
    public static InvokerProvider invoker(String name) {
        return find(InvokerProvider.class, name, InvokerProvider::name);
    }

    /** The limiter provider called {@code name}. */
    public static ConcurrencyLimiterProvider limiter(String name) {
        return find(ConcurrencyLimiterProvider.class, name, ConcurrencyLimiterProvider::name);
    }

    /** The names of the providers of a kind that load, sorted, for messages and diagnostics. */
    public static <T> List<String> available(Class<T> kind, Function<T, String> nameOf) {
        TreeSet<String> names = new TreeSet<>();
        for (T provider : load(kind, new ArrayList<>())) {
            names.add(nameOf.apply(provider));
        }
        return List.copyOf(names);
    }

    static <T> T find(Class<T> kind, String name, Function<T, String> nameOf) {
        List<String> broken = new ArrayList<>();
        List<T> matches = new ArrayList<>();
        TreeSet<String> found = new TreeSet<>();
        for (T provider : load(kind, broken)) {
            String providerName = nameOf.apply(provider);
            found.add(providerName);
            if (providerName.equals(name)) {
                matches.add(provider);
            }
        }
        if (matches.isEmpty()) {
            throw new IllegalStateException("no " + kind.getSimpleName() + " named '" + name + "' on the class path; found "
                    + (found.isEmpty() ? "none" : found) + (broken.isEmpty() ? "" : "; failed to load " + broken));
        }
        if (matches.size() > 1) {
            matches.sort((a, b) -> a.getClass().getName().compareTo(b.getClass().getName()));
            log.warn("{} {} providers are named '{}'; using {}", matches.size(), kind.getSimpleName(), name,
                    matches.get(0).getClass().getName());
        }
        return matches.get(0);
    }

    private static <T> List<T> load(Class<T> kind, List<String> broken) {
        List<T> loaded = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(kind).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                loaded.add(it.next());
            } catch (ServiceConfigurationError e) {
                log.warn("skipping a {} that failed to load: {}", kind.getSimpleName(), e.getMessage());
                broken.add(e.getMessage());
            }
        }
        return loaded;
    }
}
