package dev.belay.tool.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void aLineFarWiderThanTheTerminalIsKeptWhole() {
        String wide = "x".repeat(79) + " " + "x".repeat(9_000) + "END";
        assertThat(TerminalText.render("start\r\n" + wide + "\r\nlast\r\n", new TerminalSize(80, 5)))
                .isEqualTo("start\n" + wide + "\nlast");
    }

    @Test
    void carriageReturnsAndErasuresReadAsTheScreenShowsThem() {
        assertThat(TerminalText.render(
                        "a 10%\rb 100%\r\n\u001b[31mred\u001b[0m\r\ngone\u001b[2K\rkept\r\n", TerminalSize.DEFAULT))
                .isEqualTo("b 100%\nred\nkept");
    }
}
