package dev.asyncqueue.callback;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where callbacks may go: an optional allow-list of hosts, and never to link-local addresses
 * (169.254.0.0/16, fe80::/10, where cloud metadata services answer) unless explicitly allowed.
 * Checked at ingest and again by the worker just before posting, after resolving the host, so a
 * name that resolves to a metadata address is refused too. {@link dev.asyncqueue.config.WorkerSettings}
 * reads one from settings.
 *
 * @param allowedHosts    hosts callbacks may go to; empty means any host. {@code example.com} matches that
 *                        host only, {@code *.example.com} its subdomains
 * @param allowLinkLocal  whether link-local and metadata addresses are allowed (default false)
 */
public record CallbackPolicy(List<String> allowedHosts, boolean allowLinkLocal) {
    // Compiled once: every callback is judged, twice when the worker sends it.
    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9.]+");

    /** Normalises the hosts (trimmed, lower case) and refuses one that is not a host name, address or {@code *.domain}. */
    public CallbackPolicy {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        for (String host : allowedHosts) {
            String bare = host.startsWith("*.") ? host.substring(2) : host;
            if (bare.isEmpty() || !bare.matches("[a-z0-9.:\\[\\]_-]+")) {
                throw new IllegalArgumentException("'" + host + "' is not a host name, address or *.domain");
            }
        }
    }

    /** Any http(s) host except link-local ones: the default. */
    public static CallbackPolicy defaults() {
        return new CallbackPolicy(List.of(), false);
    }

    /** Why a callback to {@code url} is refused, judging the URL as written (no DNS lookup); empty when allowed. */
    public Optional<String> refusal(URI url) {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("callback URL must be http or https");
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) return Optional.of("callback URL has no host");
        String lower = host.toLowerCase(Locale.ROOT);
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(pattern -> matches(pattern, lower))) {
            // Names the setting, so whoever reads the refusal knows what to change.
            return Optional.of("callback host " + host + " is not in callback_allowed_hosts");
        }
        if (!allowLinkLocal) {
            if (lower.equals("metadata.google.internal") || lower.equals("metadata")) {
                return Optional.of("callback host " + host + " is a cloud metadata service");
            }
            Optional<InetAddress> literal = literalAddress(lower);
            if (literal.isPresent() && isLinkLocal(literal.get())) {
                return Optional.of("callback address " + host + " is link-local (metadata services live there)");
            }
        }
        return Optional.empty();
    }

    /** As {@link #refusal(URI)}, and also refuses a host that resolves to a link-local address. */
    public Optional<String> refusalAfterResolving(URI url) {
        Optional<String> refused = refusal(url);
        if (refused.isPresent() || allowLinkLocal) return refused;
        try {
            for (InetAddress address : InetAddress.getAllByName(url.getHost())) {
                if (isLinkLocal(address)) {
                    return Optional.of("callback host " + url.getHost() + " resolves to link-local address "
                            + address.getHostAddress());
                }
            }
        } catch (UnknownHostException e) {
            // Not resolvable now: the post will fail on its own and be logged as a failed callback.
        }
        return Optional.empty();
    }

    /** Whether {@link #refusalAfterResolving} would ask DNS about {@code url}'s host: a name, with link-local refused. */
    boolean needsLookup(URI url) {
        String host = url.getHost();
        return !allowLinkLocal && host != null && literalAddress(host.toLowerCase(Locale.ROOT)).isEmpty();
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) return host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1;
        return pattern.equals(host) || pattern.equals("[" + host + "]") || ("[" + pattern + "]").equals(host);
    }

    private static Optional<InetAddress> literalAddress(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // Only literals: a name must not trigger a DNS lookup here (the ingest answers without waiting on DNS).
        if (!IPV4_LITERAL.matcher(bare).matches() && !bare.contains(":")) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(bare));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean isLinkLocal(InetAddress address) {
        if (address.isLinkLocalAddress()) return true; // 169.254.0.0/16 and fe80::/10
        byte[] b = address.getAddress();
        // IPv4-mapped IPv6 (::ffff:169.254.x.x) and AWS's IPv6 metadata address fd00:ec2::254.
        if (b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff && b[12] == (byte) 169 && b[13] == (byte) 254) return true;
            return address.getHostAddress().equalsIgnoreCase("fd00:ec2:0:0:0:0:0:254");
        }
        return false;
    }
}
