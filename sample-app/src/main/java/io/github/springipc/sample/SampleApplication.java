package io.github.springipc.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
        System.out.println("sample ran with classpath entries: " + System.getProperty("java.class.path").split(":").length);
    }
}
