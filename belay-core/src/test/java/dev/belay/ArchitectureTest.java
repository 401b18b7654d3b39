package dev.belay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.ToolResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The rules of STYLE.md that a compiler does not check, within the core (ModulesArchitectureTest: across modules). */
class ArchitectureTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.belay");
    }

    @Test
    void theToolContractDoesNotKnowItsImplementations() {
        noClasses()
                .that()
                .resideInAPackage("dev.belay.tool")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.belay.tool.(*)..", "dev.belay.engine..")
                .check(core);
    }

    @Test
    void whatTheGuardChecksDoesNotKnowTheGuard() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.belay.tool..",
                        "dev.belay.runtime..",
                        "dev.belay.journal..",
                        "dev.belay.workspace..",
                        "dev.belay.fs..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.belay.policy..")
                .because("the guard wraps the catalog from outside: tools, their bounds and their egress rules "
                        + "stand on their own")
                .check(core);
    }

    @Test
    void toolsDescribeTheirResultsWithRecords() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.belay.tool.(*)..")
                .should()
                .callMethod(Json.class, "object")
                .orShould()
                .callMethod(Json.class, "array")
                .orShould()
                .callConstructor(ToolResult.class, List.class, ObjectNode.class, Failure.class)
                .because("a structured result is a record, turned into JSON once (ToolResult.of), not a tree that "
                        + "is put together and changed along the way")
                .check(core);
    }

    @Test
    void runtimesKnowNothingOfTools() {
        noClasses()
                .that()
                .resideInAPackage("dev.belay.runtime..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.belay.tool..", "dev.belay.journal..")
                .check(core);
    }

    @Test
    void noMutableStaticState() {
        fields().that()
                .areStatic()
                .and()
                .areDeclaredInClassesThat()
                .resideInAPackage("dev.belay..")
                .should()
                .beFinal()
                .check(core);
        noClasses()
                .should()
                .dependOnClassesThat()
                .areAssignableTo(ThreadLocal.class)
                .check(core);
    }

    @Test
    void theEnvironmentIsReadOnlyAtStartupByTheCli() {
        noClasses()
                .should()
                .callMethod(System.class, "getenv")
                .orShould()
                .callMethod(System.class, "getenv", String.class)
                .check(core);
        fields().that()
                .areDeclaredInClassesThat()
                .resideInAnyPackage("dev.belay.tool..", "dev.belay.runtime..")
                .and()
                .areNotStatic()
                .and()
                .areDeclaredInClassesThat()
                .areRecords()
                .should()
                .haveModifier(JavaModifier.FINAL)
                .check(core);
    }
}
