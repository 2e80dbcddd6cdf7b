package io.quiver;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example is a complete program: this test takes the first Java block under "Using the
 * library" from the README itself, compiles it against the test classpath and runs it twice on a fresh directory
 * (the second run reopens what the first wrote), so the README cannot drift from the API.
 */
class ReadmeExampleTest {
  @TempDir Path dir;

  static String exampleSource() throws Exception {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, UTF_8);
    int section = text.indexOf("## Using the library");
    assertThat(section).as("README.md has a 'Using the library' section").isNotNegative();
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
    assertThat(m.find(section)).as("a ```java block under 'Using the library'").isTrue();
    return m.group(1);
  }

  @Test
  void readmeLibraryExampleCompilesAndRuns() throws Exception {
    String source = exampleSource();
    Matcher cls = Pattern.compile("public (?:final )?class (\\w+)").matcher(source);
    assertThat(cls.find()).as("the example declares a public class with a main method").isTrue();
    String className = cls.group(1);
    assertThat(source).as("a complete program has no package (copy it into a file and run it)")
        .doesNotContain("package ");

    Path src = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path file = Files.writeString(src.resolve(className + ".java"), source, UTF_8);
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp", classpath,
        "--add-modules", "jdk.incubator.vector", "-Xlint:none", file.toString());
    assertThat(rc).as("javac on the README example:%n%s", diagnostics.toString(UTF_8)).isZero();

    Path data = dir.resolve("quiver-data");
    String first = runMain(classes, className, data);
    String second = runMain(classes, className, data);
    assertThat(first).as("the example prints its hits").isNotBlank();
    assertThat(second).as("a second run reopens the same collection").isNotBlank();
    assertThat(Files.isDirectory(data.resolve("collections"))).isTrue();
  }

  private static String runMain(Path classes, String className, Path data) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        ReadmeExampleTest.class.getClassLoader())) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(new PrintStream(captured, true, UTF_8));
      main.invoke(null, (Object) new String[] {data.toString()});
    } finally {
      System.setOut(out);
    }
    return captured.toString(UTF_8);
  }
}
