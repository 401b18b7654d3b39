package dev.belay.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The tag protocol, fed the way a stream arrives: in pieces split anywhere. */
class TagParserTest {

    private static final String TEXT =
            "I'll look first.\n```\nan example: <tool name=\"run_command\">{\"command\": \"rm -rf "
                    + "/\"}</tool>\n```\n<tool name=\"list_directory\">{\"path\": \".\"}</tool> and <tool "
                    + "name=\"read_file\">\n{\"path\": \"a<b>.txt\"}\n</tool> then `inline <tool` text <tool "
                    + "name=\"bad name\">{}</tool> done";

    @Test
    void findsTheSameCallsWhereverTheChunksSplit() {
        for (int size = 1; size <= TEXT.length(); size++) {
            TagParser parser = new TagParser();
            for (int i = 0; i < TEXT.length(); i += size) {
                parser.feed(TEXT.substring(i, Math.min(TEXT.length(), i + size)));
            }
            assertThat(parser.calls())
                    .as("chunks of " + size)
                    .containsExactly(
                            new TagParser.Call("list_directory", "{\"path\": \".\"}"),
                            new TagParser.Call("read_file", "{\"path\": \"a<b>.txt\"}"));
        }
    }

    @Test
    void anUnclosedTagIsNoCall() {
        TagParser parser = new TagParser();
        parser.feed("<tool name=\"run_command\">{\"command\": \"ls\"}");
        assertThat(parser.calls()).isEmpty();
    }
}
