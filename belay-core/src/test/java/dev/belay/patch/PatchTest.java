package dev.belay.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.patch.Patch.Add;
import dev.belay.patch.Patch.Delete;
import dev.belay.patch.Patch.Hunk;
import dev.belay.patch.Patch.Update;
import dev.belay.tool.ToolException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading both patch formats, what models wrap around them, and what is refused with the line at fault. */
class PatchTest {

    @Test
    void theCodexDocumentationsExampleReadsAsFourChanges() {
        Patch patch = Patch.parse("""
                *** Begin Patch
                *** Add File: hello.txt
                +Hello world
                *** Update File: src/app.py
                *** Move to: src/main.py
                @@ def greet():
                -print("Hi")
                +print("Hello, world!")
                *** Delete File: obsolete.txt
                *** End Patch
                """);
        assertThat(patch.changes()).hasSize(3);
        assertThat(patch.changes().get(0)).isEqualTo(new Add("hello.txt", List.of("Hello world"), true, 2));
        Update update = (Update) patch.changes().get(1);
        assertThat(update.path()).isEqualTo("src/app.py");
        assertThat(update.moveTo()).contains("src/main.py");
        assertThat(update.hunks())
                .containsExactly(new Hunk(
                        List.of("def greet():"), List.of("-print(\"Hi\")", "+print(\"Hello, world!\")"), false, -1, 6));
        assertThat(patch.changes().get(2)).isEqualTo(new Delete("obsolete.txt", 9));
        assertThat(patch.paths()).containsExactly("hello.txt", "src/app.py", "src/main.py", "obsolete.txt");
    }

    @Test
    void stackedHeadersAnEndOfFileMarkerAndAFirstHunkWithoutItsHeader() {
        Update update = (Update) Patch.parse("""
                        *** Begin Patch
                        *** Update File: a.py
                         import os
                        -import sys
                        @@ class BaseClass
                        @@     def method():
                             x = 1

                        -    return x
                        +    return x + 1
                        @@ -40,2 +41,3 @@
                         last
                        +appended
                        *** End of File
                        *** End Patch
                        """).changes().getFirst();
        assertThat(update.hunks()).hasSize(3);
        assertThat(update.hunks().get(0).lines()).containsExactly(" import os", "-import sys");
        Hunk second = update.hunks().get(1);
        assertThat(second.anchors()).containsExactly("class BaseClass", "    def method():");
        assertThat(second.oldLines()).containsExactly("    x = 1", "", "    return x");
        assertThat(second.newLines()).containsExactly("    x = 1", "", "    return x + 1");
        assertThat(update.hunks().get(2).endOfFile()).isTrue();
        assertThat(update.hunks().get(2).anchors()).isEmpty();
    }

    @Test
    void whatModelsWrapAroundAPatchIsTakenOff() {
        String body = "*** Begin Patch\n*** Delete File: x\n*** End Patch";
        for (String wrapped : List.of(
                "\n\n" + body + "\n\n",
                "apply_patch <<'EOF'\n" + body + "\nEOF\n",
                "<<\"PATCH\"\n" + body + "\nPATCH",
                "```diff\n" + body + "\n```\n",
                "*** Delete File: x\n",
                "*** Delete File: x\n*** End Patch\n",
                body.replace("\n", "\r\n"),
                "  *** Begin Patch  \n*** Delete File: x\n*** End Patch  ")) {
            assertThat(Patch.parse(wrapped).changes())
                    .as(wrapped)
                    .singleElement()
                    .isInstanceOf(Delete.class)
                    .extracting(Patch.FileChange::path)
                    .isEqualTo("x");
        }
    }

    @Test
    void malformedPatchesAreRefusedNamingTheLine() {
        assertRefused("*** Begin Patch\n*** Delete File: x\n", "does not end with '*** End Patch'", "cut off");
        assertRefused("hello\nworld\n", "not a patch", "Line 1 is: hello");
        assertRefused("", "empty");
        assertRefused("*** Begin Patch\n*** End Patch\n", "changes no file");
        assertRefused("*** Begin Patch\n*** Add File: a\nno plus\n*** End Patch", "Patch line 3", "'+'");
        assertRefused("*** Begin Patch\n*** Update File: a\n*** End Patch", "Patch line 2", "no hunk");
        assertRefused("*** Begin Patch\n*** Update File: a\n@@ x\n*** End Patch", "Patch line 3", "no lines");
        assertRefused("*** Begin Patch\n*** Update File: a\n@@\n same\n*** End Patch", "changes nothing");
        assertRefused(
                "*** Begin Patch\n*** Update File: a\n@@\n-x\n*** Updte File: b\n*** End Patch",
                "Patch line 5",
                "misspelt");
        assertRefused("*** Begin Patch\n*** Frobnicate: a\n*** End Patch", "Patch line 2", "expected");
        assertRefused("*** Begin Patch\n*** Add File:   \n*** End Patch", "names no path");
        assertRefused(
                "\n\n*** Begin Patch\n*** Update File: a\n@@\n-x\n*** End of File\n-y\n*** End Patch",
                "Patch line 8",
                "ends its hunk");
        assertRefused("diff --git a/x b/x\nGIT binary patch\nliteral 3\n", "Patch line 2", "binary");
        assertRefused("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", "file mode");
        assertRefused("--- a/x\n+++ b/x\n@@ -1 +1 @@ \n@@ bad @@\n-a\n", "Patch line 3", "no lines");
        assertRefused("--- a/x\n+++ b/x\n@@ bad\n-a\n", "Patch line 3", "@@ -LINE,COUNT +LINE,COUNT @@");
        assertRefused("--- a/x\n+++ b/x\n@@ -99999999999 +1 @@\n-a\n", "Patch line 3", "@@ -LINE");
    }

    @Test
    void aGitDiffWithARenameAnAddedAndADeletedFile() {
        Patch patch = Patch.parse("""
                From 1234 Mon Sep 17 00:00:00 2001
                Subject: [PATCH] rename things

                ---
                diff --git a/old.txt b/new.txt
                similarity index 90%
                rename from old.txt
                rename to new.txt
                index 1111111..2222222 100644
                --- a/old.txt
                +++ b/new.txt
                @@ -1,3 +1,3 @@
                 a
                -b
                +B
                 c
                \\ No newline at end of file
                diff --git a/gone.txt b/gone.txt
                deleted file mode 100644
                index 3333333..0000000
                --- a/gone.txt
                +++ /dev/null
                @@ -1 +0,0 @@
                -bye
                diff --git a/n.txt b/n.txt
                new file mode 100644
                index 0000000..4444444
                --- /dev/null
                +++ b/n.txt
                @@ -0,0 +1,2 @@
                +x
                +y
                \\ No newline at end of file
                diff --git a/pure b/renamed
                similarity index 100%
                rename from pure
                rename to renamed
                --\s
                2.43.0
                """);
        assertThat(patch.changes()).hasSize(4);
        Update renamed = (Update) patch.changes().get(0);
        assertThat(renamed.path()).isEqualTo("old.txt");
        assertThat(renamed.moveTo()).contains("new.txt");
        assertThat(renamed.finalNewline()).contains(false);
        assertThat(renamed.hunks().getFirst().lines()).containsExactly(" a", "-b", "+B", " c");
        assertThat(renamed.hunks().getFirst().hint()).isEqualTo(1);
        assertThat(patch.changes().get(1))
                .isInstanceOf(Delete.class)
                .extracting(c -> c.path())
                .isEqualTo("gone.txt");
        assertThat(patch.changes().get(2)).isEqualTo(new Add("n.txt", List.of("x", "y"), false, 25));
        Update pure = (Update) patch.changes().get(3);
        assertThat(pure.moveTo()).contains("renamed");
        assertThat(pure.hunks()).isEmpty();
    }

    @Test
    void aUnifiedDiffsLinesAreCountedNotTakenFromItsHeader() {
        Update update = (Update) Patch.parse("""
                        --- x.txt\t2026-01-01 00:00:00
                        +++ x.txt\t2026-01-02 00:00:00
                        @@ -1,2 +1,2 @@
                         a
                        -b
                        +c
                         d
                         e
                        @@ -9 +9,2 @@
                        --- a comment removed
                        +-- a comment added
                        +++ counts
                        """).changes().getFirst();
        assertThat(update.path()).isEqualTo("x.txt");
        assertThat(update.hunks().get(0).lines()).containsExactly(" a", "-b", "+c", " d", " e");
        assertThat(update.hunks().get(1).lines())
                .containsExactly("--- a comment removed", "+-- a comment added", "+++ counts");
        assertThat(update.finalNewline()).isEmpty();
    }

    @Test
    void aRemovedLineThatLooksLikeAFileHeaderStaysInItsHunk() {
        Patch patch = Patch.parse("""
                --- a/q.sql
                +++ b/q.sql
                @@ -1,2 +1,1 @@
                --- old comment
                 select 1;
                --- a/r.sql
                +++ b/r.sql
                @@ -1 +1 @@
                -x
                +y
                """);
        assertThat(patch.paths()).containsExactly("q.sql", "r.sql");
        assertThat(((Update) patch.changes().getFirst()).hunks().getFirst().lines())
                .containsExactly("--- old comment", " select 1;");
    }

    @Test
    void hostilePathsAreReadAsWrittenForTheGuardToRefuse() {
        Patch patch = Patch.parse("""
                *** Begin Patch
                *** Update File: ../../etc/passwd
                @@
                -root
                +toor
                *** Add File: /etc/cron.d/x
                +* * * * * root sh
                *** Delete File: .git/config
                *** End Patch
                """);
        assertThat(patch.paths()).containsExactly("../../etc/passwd", "/etc/cron.d/x", ".git/config");
    }

    /** Random lines from the format's own pieces: each patch reads, or is refused with a ToolException. */
    @Test
    void randomPatchesReadOrAreRefusedCleanly() {
        List<String> pieces = List.of(
                "*** Begin Patch",
                "*** End Patch",
                "*** Add File: a",
                "*** Update File: b",
                "*** Delete File: c",
                "*** Move to: d",
                "*** End of File",
                "@@",
                "@@ x",
                " ctx",
                "-old",
                "+new",
                "",
                "\\ No newline",
                "--- a/x",
                "+++ b/x",
                "@@ -1,2 +1,3 @@",
                "@@ -0,0 +1 @@",
                "diff --git a/x b/y",
                "rename from x",
                "rename to y",
                "new file mode 100644",
                "deleted file mode 100644",
                "--- /dev/null",
                "+++ /dev/null",
                "<<'EOF'",
                "EOF",
                "```",
                "@@ -99999999999 +1 @@",
                "\r",
                "*** Move to:");
        long seed = Long.getLong("belay.seed", 20261203L);
        Random random = new Random(seed);
        int rounds = Integer.getInteger("belay.fuzz", 1) == 0 ? 200 : 5000;
        for (int i = 0; i < rounds; i++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(12);
            for (int j = 0; j < n; j++) {
                text.append(pieces.get(random.nextInt(pieces.size()))).append(random.nextInt(8) == 0 ? "\r\n" : "\n");
            }
            try {
                Patch patch = Patch.parse(text.toString());
                assertThat(patch.changes()).as(text.toString()).isNotEmpty();
            } catch (ToolException e) {
                assertThat(e.getMessage()).as(text.toString()).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", patch:\n" + text, e);
            }
        }
    }

    private static void assertRefused(String text, String... parts) {
        assertThatThrownBy(() -> Patch.parse(text))
                .as(text)
                .isInstanceOf(ToolException.class)
                .message()
                .contains(parts);
    }
}
