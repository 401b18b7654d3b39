package dev.belay.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;

/**
 * Where web tools may connect. Host patterns ({@code example.com}, {@code *.example.com}, an IP, {@code *}) allow or
 * deny; deny wins. Checked on the resolved addresses, on every redirect hop: link-local and cloud metadata addresses
 * are always refused, and private ranges, loopback and unspecified addresses unless a pattern allows them
 * explicitly.
 */
public final class EgressPolicy {

    /** Names of cloud metadata services, refused whatever they resolve to. */
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata",
            "metadata.azure.internal", "instance-data", "instance-data.ec2.internal");

    private final List<String> allow;
    private final List<String> deny;

    /**
     * @param allow host patterns that may be reached even in private ranges or on loopback
     * @param deny host patterns never reached
     */
    public EgressPolicy(List<String> allow, List<String> deny) {
        this.allow = allow.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).toList();
        this.deny = deny.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).toList();
    }

    public static EgressPolicy defaults() {
        return new EgressPolicy(List.of(), List.of());
    }

    /** A policy that also allows these patterns. */
    public EgressPolicy allowing(List<String> more) {
        return new EgressPolicy(Stream.concat(allow.stream(), more.stream()).toList(), deny);
    }

    /**
     * Resolves a host and checks every address it resolves to.
     *
     * @return the first address, to connect to exactly what was checked
     * @throws ToolException saying which rule refused it
     */
    public InetAddress check(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (METADATA_NAMES.contains(name)) {
            throw refused(host, "it is a cloud metadata service");
        }
        for (String pattern : deny) {
            if (matches(pattern, name)) {
                throw refused(host, "the deny rule '" + pattern + "' matches it");
            }
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw new ToolException(Failure.NOT_FOUND, "Cannot resolve host '" + host + "'. Check the URL.");
        }
        String lower = name;
        // "*" opens the internet, not the inside: private addresses need a pattern that names them
        boolean hostNamed = allow.stream().anyMatch(p -> !p.equals("*") && matches(p, lower));
        for (InetAddress address : addresses) {
            String ip = address.getHostAddress().toLowerCase(Locale.ROOT);
            for (String pattern : deny) {
                if (matches(pattern, ip)) {
                    throw refused(host, "the deny rule '" + pattern + "' matches its address " + ip);
                }
            }
            if (isMetadataOrLinkLocal(address)) {
                throw refused(host, "its address " + ip + " is link-local or a cloud metadata service");
            }
            boolean internal = address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isAnyLocalAddress()
                    || isUniqueLocal(address) || isSharedAddressSpace(address);
            boolean ipNamed = allow.stream().anyMatch(p -> !p.equals("*") && matches(p, ip));
            if (internal && !ipNamed && !hostNamed) {
                throw refused(host, "its address " + ip + " is private or loopback; an allow rule for the host is "
                        + "needed (--allow-host)");
            }
        }
        return addresses[0];
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return name.endsWith(pattern.substring(1)) || name.equals(pattern.substring(2));
        }
        return pattern.equals(name);
    }

    private static boolean isMetadataOrLinkLocal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address.isLinkLocalAddress()) {
            return true; // 169.254.0.0/16 (AWS, GCP, Azure metadata) and fe80::/10
        }
        if (b.length == 4) {
            return (b[0] & 0xFF) == 100 && (b[1] & 0xFF) == 100 && (b[2] & 0xFF) == 100 && (b[3] & 0xFF) == 200;
        }
        // fd00:ec2::254, the AWS metadata service over IPv6
        return b.length == 16 && (b[0] & 0xFF) == 0xFD && b[1] == 0 && (b[2] & 0xFF) == 0x0E && (b[3] & 0xFF) == 0xC2
                && (b[15] & 0xFF) == 0x54 && (b[14] & 0xFF) == 0x02;
    }

    private static boolean isUniqueLocal(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 16 && (b[0] & 0xFE) == 0xFC; // fc00::/7
    }

    private static boolean isSharedAddressSpace(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64; // 100.64.0.0/10
    }

    private static ToolException refused(String host, String why) {
        return new ToolException(Failure.DENIED, "Refused to connect to '" + host + "': " + why + ".");
    }
}
