package dev.belay.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), as a scraper reads {@code /metrics}: every line a
 * comment, a {@code # TYPE}/{@code # HELP} line or a sample of a declared family, label values quoted and escaped,
 * no series twice. Anything else fails with the line that broke it.
 */
public final class PrometheusText {

    /** One sample: the series' name, its labels, its value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_created", "_total", "");

    private PrometheusText() {}

    public static List<Sample> parse(String text) {
        Map<String, String> types = new HashMap<>();
        Set<String> series = new HashSet<>();
        List<Sample> samples = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    String[] parts = line.split(" ", 4);
                    if (parts.length >= 3 && parts[1].equals("TYPE")) {
                        require(NAME.matcher(parts[2]).matches(), "bad family name");
                        require(parts.length == 4 && TYPES.contains(parts[3]), "bad type");
                        require(types.put(parts[2], parts[3]) == null, "family typed twice");
                    } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                        require(NAME.matcher(parts[2]).matches(), "bad family name");
                    }
                    continue;
                }
                Sample sample = sample(line);
                require(family(sample.name(), types), "sample of an undeclared family");
                require(series.add(sample.name() + sample.labels()), "series given twice");
                samples.add(sample);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("line " + number + ": " + e.getMessage() + ": " + line, e);
            }
        }
        require(text.endsWith("\n"), "the text does not end with a line break");
        return samples;
    }

    private static boolean family(String name, Map<String, String> types) {
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(NAME.matcher(name).matches(), "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > i, "label without a value");
                String label = line.substring(i, eq);
                require(LABEL.matcher(label).matches(), "bad label name");
                require(line.charAt(eq + 1) == '"', "label value not quoted");
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        require(next == '\\' || next == '"' || next == 'n', "bad escape");
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                require(labels.put(label, value.toString()) == null, "label given twice");
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no value");
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, "more than a value and a timestamp");
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        return new Sample(name, labels, value(rest[0]));
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                require(text.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?"), "bad value");
                yield Double.parseDouble(text);
            }
        };
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
