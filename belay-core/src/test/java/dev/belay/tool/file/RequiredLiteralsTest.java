package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequiredLiteralsTest {

    @Test
    void findsWhatEveryMatchContains() {
        assertThat(literals("needleFOUND")).containsExactly("needleFOUND");
        assertThat(literals("class \\w+Test")).containsExactly("class ");
        assertThat(literals("foo\\(\\w+\\)")).containsExactly("foo(");
        assertThat(literals("get|set")).containsExactlyInAnyOrder("get", "set");
        assertThat(literals("(get|set)Name")).containsExactlyInAnyOrder("getName", "setName");
        assertThat(literals("colou?r")).containsExactlyInAnyOrder("color", "colour");
        assertThat(literals("abc+d")).containsExactly("ab");
        assertThat(literals("x{2,}yz")).containsExactly("yz");
        assertThat(literals("\\Qa.b*c\\E")).containsExactly("a.b*c");
        assertThat(literals("^import java\\.util\\.")).containsExactly("import java.util.");
        assertThat(literals("[abc]+\\d{3}done")).containsExactly("done");
        assertThat(literals("(?P<name>alpha)|beta")).containsExactlyInAnyOrder("alpha", "beta");
        assertThat(literals("a{")).containsExactly("a{");
        assertThat(literals("\\x41BC")).containsExactly("BC");
        assertThat(literals("\\101BC")).as("an octal code is one character").containsExactly("BC");
    }

    @Test
    void saysNothingWhenAMatchNeedsNoLiteral() {
        for (String pattern : List.of("\\d+", ".*", "a*", "x|\\w", "(foo)?", "[a-z]+", "a?", "", "|b", "\\pL+")) {
            assertThat(RequiredLiterals.of(pattern, false)).as(pattern).isEmpty();
        }
    }

    @Test
    void caseFoldingAnywhereMakesTheWholeSearchCaseInsensitive() {
        assertThat(RequiredLiterals.of("abc", true).orElseThrow().caseInsensitive())
                .isTrue();
        assertThat(RequiredLiterals.of("x(?i:abc)", false).orElseThrow().caseInsensitive())
                .isTrue();
        assertThat(RequiredLiterals.of("(?i)abc", false).orElseThrow().caseInsensitive())
                .isTrue();
        assertThat(RequiredLiterals.of("(?s)abc", false).orElseThrow().caseInsensitive())
                .isFalse();
    }

    /** Whatever RE2/J matches holds one of the literals: checked on generated patterns and texts. */
    @Test
    void everyMatchHoldsALiteral() {
        Random random = new Random(17);
        String[] atoms = {
            "a",
            "b",
            "ab",
            "\\.",
            "[ab]",
            "\\w",
            ".",
            "(a|b)",
            "(ab)?",
            "a*",
            "b+",
            "x{2}",
            "(?i:a)",
            "\\b",
            "^",
            "$",
            "\\d",
            "(?:ba|c)",
            "[^a]"
        };
        for (int p = 0; p < 2000; p++) {
            StringBuilder source = new StringBuilder();
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                source.append(atoms[random.nextInt(atoms.length)]);
                if (random.nextInt(8) == 0) {
                    source.append('|');
                }
            }
            String pattern = source.toString();
            Optional<RequiredLiterals> found = RequiredLiterals.of(pattern, false);
            if (found.isEmpty()) {
                continue;
            }
            Pattern compiled = Pattern.compile(pattern);
            for (int t = 0; t < 50; t++) {
                String text = randomText(random);
                if (compiled.matcher(text).find()) {
                    Set<String> literals = found.get().literals();
                    boolean fold = found.get().caseInsensitive();
                    assertThat(literals.stream()
                                    .anyMatch(l -> fold
                                            ? text.toLowerCase(Locale.ROOT).contains(l.toLowerCase(Locale.ROOT))
                                            : text.contains(l)))
                            .as("'%s' matches '%s' but holds none of %s", pattern, text, literals)
                            .isTrue();
                }
            }
        }
    }

    private static Set<String> literals(String pattern) {
        return RequiredLiterals.of(pattern, false).orElseThrow().literals();
    }

    private static String randomText(Random random) {
        String alphabet = "abAB.x1c _";
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
