package dev.belay.door;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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
                .importPackages("dev.belay.door", "dev.belay.chat");
        noClasses().that().resideInAnyPackage("dev.belay.door..", "dev.belay.chat..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.belay.workspace..", "dev.belay.journal..")
                .because("every door reaches files through tool calls of the guarded catalog")
                .check(server);
    }
}
