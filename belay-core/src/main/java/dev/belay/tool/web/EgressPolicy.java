package dev.belay.tool.web;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where web tools may connect. Host patterns ({@code example.com}, {@code *.example.com}, an IP, {@code *}) allow or
 * deny; deny wins. Checked on the resolved addresses, on every redirect hop: link-local and cloud metadata addresses
 * are always refused, and private ranges, loopback and unspecified addresses unless a pattern allows them
 * explicitly.
 */
public final class EgressPolicy {

    /** Names of cloud metadata services, refused whatever they resolve to. */
    private static final Set<String> METADATA_NAMES = Set.of(
            "metadata.google.internal",
            "metadata",
            "metadata.azure.internal",
            "instance-data",
            "instance-data.ec2.internal");

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
        for (InetAddress resolved : addresses) {
            // an IPv6 address that carries an IPv4 one (NAT64, 6to4, Teredo, mapped, compatible, ISATAP) reaches that
            // IPv4 address: it is judged as what it carries as well as what it is
            for (InetAddress address : withEmbedded(resolved)) {
                String ip = address.getHostAddress().toLowerCase(Locale.ROOT);
                for (String pattern : deny) {
                    if (matches(pattern, ip)) {
                        throw refused(host, "the deny rule '" + pattern + "' matches its address " + ip);
                    }
                }
                if (isMetadataOrLinkLocal(address)) {
                    throw refused(host, "its address " + ip + " is link-local or a cloud metadata service");
                }
                boolean ipNamed = allow.stream().anyMatch(p -> !p.equals("*") && matches(p, ip));
                if (isInternal(address) && !ipNamed && !hostNamed) {
                    throw refused(
                            host,
                            "its address " + ip + " is private or loopback; an allow rule for the host is "
                                    + "needed (--allow-host)");
                }
            }
        }
        return addresses[0];
    }

    /** The address, and the IPv4 addresses an IPv6 one embeds by a standard transition mechanism. */
    static List<InetAddress> withEmbedded(InetAddress address) {
        byte[] b = address.getAddress();
        List<InetAddress> all = new ArrayList<>();
        all.add(address);
        if (b.length != 16) {
            return all;
        }
        boolean zero80 = allZero(b, 0, 10);
        if (zero80 && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
            all.add(ipv4(b, 12, false)); // ::ffff:a.b.c.d, IPv4-mapped
        } else if (zero80 && b[10] == 0 && b[11] == 0 && !allZero(b, 12, 3)) {
            all.add(ipv4(b, 12, false)); // ::a.b.c.d, IPv4-compatible (but not :: or ::1)
        }
        if ((b[0] & 0xFF) == 0x00 && (b[1] & 0xFF) == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B) {
            all.add(ipv4(b, 12, false)); // 64:ff9b::/96, NAT64 (64:ff9b:1::/48 is judged as private)
        }
        if ((b[0] & 0xFF) == 0x20 && (b[1] & 0xFF) == 0x02) {
            all.add(ipv4(b, 2, false)); // 2002::/16, 6to4
        }
        if ((b[0] & 0xFF) == 0x20 && (b[1] & 0xFF) == 0x01 && b[2] == 0 && b[3] == 0) {
            all.add(ipv4(b, 4, false)); // 2001::/32, Teredo: the server
            all.add(ipv4(b, 12, true)); // and the client, stored inverted
        }
        if ((b[8] & 0xFD) == 0 && b[9] == 0 && (b[10] & 0xFF) == 0x5E && (b[11] & 0xFF) == 0xFE) {
            all.add(ipv4(b, 12, false)); // ISATAP interface identifier
        }
        return all;
    }

    private static boolean allZero(byte[] b, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte[] b, int at, boolean inverted) {
        byte[] v4 = new byte[4];
        for (int i = 0; i < 4; i++) {
            v4[i] = (byte) (inverted ? ~b[at + i] : b[at + i]);
        }
        try {
            return InetAddress.getByAddress(v4);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** Loopback, private, unspecified, "this network", multicast, reserved, and the ranges that translate to them. */
    private static boolean isInternal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address.isLoopbackAddress()
                || address.isSiteLocalAddress()
                || address.isAnyLocalAddress()
                || address.isMulticastAddress()
                || isUniqueLocal(address)
                || isSharedAddressSpace(address)) {
            return true;
        }
        if (b.length == 4) {
            int first = b[0] & 0xFF;
            return first == 0
                    || first >= 240 // 0.0.0.0/8 reaches this host on Linux; 240/4 is reserved
                    || (first == 198 && (b[1] & 0xFE) == 18); // 198.18.0.0/15, benchmarking, often internal
        }
        // 64:ff9b:1::/48, local-use NAT64: where the IPv4 address sits depends on the local prefix length
        return (b[0] & 0xFF) == 0x00
                && (b[1] & 0xFF) == 0x64
                && (b[2] & 0xFF) == 0xFF
                && (b[3] & 0xFF) == 0x9B
                && b[4] == 0
                && b[5] == 1;
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
        return b.length == 16
                && (b[0] & 0xFF) == 0xFD
                && b[1] == 0
                && (b[2] & 0xFF) == 0x0E
                && (b[3] & 0xFF) == 0xC2
                && (b[15] & 0xFF) == 0x54
                && (b[14] & 0xFF) == 0x02;
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
