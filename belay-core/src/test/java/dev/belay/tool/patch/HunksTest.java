package dev.belay.tool.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.patch.Patch;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Locating hunks: exact first, then only as loosely as the format allows; a miss tells where the lines probably are.
 */
class HunksTest {

    private static List<String> apply(List<String> file, String patch) {
        Patch.Update update = (Patch.Update) Patch.parse(patch).changes().getFirst();
        return Hunks.apply(file, update.hunks(), "f.py");
    }

    private static String update(String body) {
        return "*** Begin Patch\n*** Update File: f.py\n" + body + "*** End Patch\n";
    }

    @Test
    void hunksApplyInOrderEachAfterTheOneBefore() {
        List<String> file = List.of("x = 1", "y = 2", "x = 1", "z = 3");
        assertThat(apply(file, update("@@\n-x = 1\n+x = 10\n@@\n-x = 1\n+x = 11\n")))
                .containsExactly("x = 10", "y = 2", "x = 11", "z = 3");
    }

    @Test
    void anchorsNarrowThePlaceOneAfterTheOther() {
        List<String> file = List.of(
                "class A:",
                "    def run(self):",
                "        return 1",
                "class B:",
                "    def run(self):",
                "        return 1");
        assertThat(apply(file, update("@@ class B:\n@@     def run(self):\n-        return 1\n+        return 2\n")))
                .containsExactly(
                        "class A:",
                        "    def run(self):",
                        "        return 1",
                        "class B:",
                        "    def run(self):",
                        "        return 2");
    }

    @Test
    void whitespaceAndTypographicPunctuationAreToleratedAndContextKeepsTheFilesText() {
        List<String> file = List.of("def f():  ", "\treturn \"a—b\"", "end");
        assertThat(apply(file, update("@@\n def f():\n-    return \"a-b\"\n+    return 'ab'\n end\n")))
                .containsExactly("def f():  ", "    return 'ab'", "end");
    }

    @Test
    void exactMatchesWinOverLooseOnesEvenWhenLater() {
        List<String> file = List.of("  a", "b", "a", "b");
        assertThat(apply(file, update("@@\n-a\n+A\n b\n"))).containsExactly("  a", "b", "A", "b");
    }

    @Test
    void anEndOfFileHunkIsLookedForAtTheEndFirst() {
        List<String> file = List.of("x", "x");
        assertThat(apply(file, update("@@\n-x\n+y\n*** End of File\n"))).containsExactly("x", "y");
    }

    @Test
    void pureInsertionsGoAfterTheirAnchorOrAtTheEnd() {
        List<String> file = List.of("a", "b");
        assertThat(apply(file, update("@@ a\n+inserted\n"))).containsExactly("a", "inserted", "b");
        assertThat(apply(file, update("@@\n+appended\n"))).containsExactly("a", "b", "appended");
    }

    @Test
    void aUnifiedDiffsLineNumberChoosesAmongEqualPlaces() {
        List<String> file = List.of("same", "x", "same", "x", "same");
        String diff = "--- a/f.py\n+++ b/f.py\n@@ -3,2 +3,2 @@\n same\n-x\n+y\n";
        assertThat(apply(file, diff)).containsExactly("same", "x", "same", "y", "same");
        String insertion = "--- a/f.py\n+++ b/f.py\n@@ -1,0 +2 @@\n+after one\n";
        assertThat(apply(file, insertion)).containsExactly("same", "after one", "x", "same", "x", "same");
    }

    @Test
    void aMissNamesTheHunkAndShowsTheClosestLines() {
        List<String> file = List.of("import os", "", "def greet(name):", "    print('Hi', name)", "", "greet('x')");
        assertThatThrownBy(
                        () -> apply(file, update("@@\n-import os\n+import sys\n@@\n-    print('Hello', name)\n+x\n")))
                .isInstanceOf(ToolException.class)
                .satisfies(e -> assertThat(((ToolException) e).failure()).isEqualTo(Failure.NOT_FOUND))
                .message()
                .contains("Hunk 2 of 'f.py' (patch line 6)", "after line 1", "closest line is 4")
                .contains("     4\t    print('Hi', name)");
        assertThatThrownBy(() -> apply(file, update("@@ def missing():\n-x\n+y\n")))
                .message()
                .contains("'@@ def missing():' line could not be found");
    }

    @Test
    void aHunkCannotMatchBeforeTheOneBefore() {
        List<String> file = List.of("a", "b");
        assertThatThrownBy(() -> apply(file, update("@@\n-b\n+B\n@@\n-a\n+A\n")))
                .message()
                .contains("Hunk 2", "after line 2");
    }
}
