package dev.belay.door;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Doors reach the workspace only through the guarded catalog: a door that opened files or the journal itself would
 * skip rules, approvals and the audit log (as {@code /api/files} and the web UI's journal view once did).
 */
class DoorsArchitectureTest {

    @Test
    void doorsAndTheChatLoopNeverTouchTheWorkspaceOrTheJournal() {
        JavaClasses server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.belay.door", "dev.belay.chat");
        assertThat(server.stream().map(c -> c.getPackageName())).contains("dev.belay.door.rest", "dev.belay.chat");
        noClasses().that().resideInAnyPackage("dev.belay.door..", "dev.belay.chat..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.belay.workspace..", "dev.belay.journal..")
                .because("every door reaches files through tool calls of the guarded catalog")
                .check(server);
    }
}
