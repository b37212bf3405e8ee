package io.github.springipc.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import io.github.springipc.transport.violation.TransportClassUsingSpring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The library's layering: autoconfigure → messaging (annotation, config, listener, messaging,
 * test support) → transports. Transports and the sibling-JVM kit are plain Java, usable without
 * Spring.
 */
class LayeringTests {

    private static final String TRANSPORT = "io.github.springipc.transport..";

    private static final String[] MESSAGING = { "io.github.springipc.annotation..", "io.github.springipc.config..",
            "io.github.springipc.listener..", "io.github.springipc.messaging..", "io.github.springipc.test.." };

    private static final String AUTOCONFIGURE = "io.github.springipc.autoconfigure..";

    static final ArchRule TRANSPORTS_DO_NOT_USE_SPRING = noClasses().that().resideInAPackage(TRANSPORT)
            .should().dependOnClassesThat().resideInAPackage("org.springframework..")
            .because("transports must be usable without Spring");

    static final ArchRule TRANSPORTS_DO_NOT_USE_UPPER_LAYERS = noClasses().that().resideInAPackage(TRANSPORT)
            .should().dependOnClassesThat().resideInAnyPackage(concat(MESSAGING, AUTOCONFIGURE))
            .because("dependencies point autoconfigure → messaging → transports, never back");

    static final ArchRule MESSAGING_DOES_NOT_USE_AUTOCONFIGURE = noClasses().that().resideInAnyPackage(MESSAGING)
            .should().dependOnClassesThat().resideInAPackage(AUTOCONFIGURE)
            .because("the messaging layer works without Spring Boot auto-configuration (@EnableIpc)");

    static final ArchRule KIT_DOES_NOT_USE_SPRING = noClasses().that().resideInAPackage("io.github.springipc.process..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.github.springipc.autoconfigure..")
            .because("the sibling-JVM kit starts any JVM, Spring or not");

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.github.springipc");

    @Test
    void transportsDoNotUseSpring() {
        TRANSPORTS_DO_NOT_USE_SPRING.check(PRODUCTION);
    }

    @Test
    void transportsDoNotUseUpperLayers() {
        TRANSPORTS_DO_NOT_USE_UPPER_LAYERS.check(PRODUCTION);
    }

    @Test
    void messagingDoesNotUseAutoconfigure() {
        MESSAGING_DOES_NOT_USE_AUTOCONFIGURE.check(PRODUCTION);
    }

    @Test
    void siblingJvmKitDoesNotUseSpring() {
        KIT_DOES_NOT_USE_SPRING.check(PRODUCTION);
    }

    @Test
    void theRulesCatchATransportClassThatUsesSpring() {
        JavaClasses violating = new ClassFileImporter().importClasses(TransportClassUsingSpring.class);
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> TRANSPORTS_DO_NOT_USE_SPRING.check(violating))
                .withMessageContaining("TransportClassUsingSpring")
                .withMessageContaining("org.springframework.util.Assert");
    }

    private static String[] concat(String[] packages, String more) {
        String[] all = java.util.Arrays.copyOf(packages, packages.length + 1);
        all[packages.length] = more;
        return all;
    }
}
