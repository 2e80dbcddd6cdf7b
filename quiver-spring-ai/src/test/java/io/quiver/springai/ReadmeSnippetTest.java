package io.quiver.springai;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.Quiver;
import org.springframework.ai.embedding.EmbeddingModel;
import java.io.ByteArrayOutputStream;
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
 * The README's Spring AI lines (the part of the Java block under "Embedded in LangChain4j or Spring AI" from
 * "// Spring AI" on) compile against this module and run on a temporary directory, so the README cannot drift from the
 * API.
 */
class ReadmeSnippetTest {
  @TempDir
  Path dir;

  @Test
  void readmeSpringAiLinesCompileAndRun() throws Exception {
    String text = Files.readString(Path.of("..", "README.md"), UTF_8);
    int section = text.indexOf("## Embedded in LangChain4j or Spring AI");
    assertThat(section).isNotNegative();
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
    assertThat(m.find(section)).isTrue();
    String block = m.group(1);
    int spring = block.indexOf("// Spring AI");
    assertThat(spring).isPositive();
    String lines = block.substring(spring).replace("Path.of(\"quiver-data\")", "dir");
    String source = """
        import io.quiver.springai.QuiverVectorStore;
        import java.nio.file.Path;
        import java.util.List;
        import java.util.Map;
        import org.springframework.ai.document.Document;
        import org.springframework.ai.embedding.EmbeddingModel;
        import org.springframework.ai.vectorstore.SearchRequest;
        public class Snippet {
          public static void run(Path dir, EmbeddingModel embeddingModel) throws Exception {
        %s
            vectorStore.close();
          }
        }
        """.formatted(lines);
    Path src = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path file = Files.writeString(src.resolve("Snippet.java"), source, UTF_8);
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp", classpath, "-Xlint:none",
        file.toString());
    assertThat(rc).as("javac on the README lines:%n%s", diagnostics.toString(UTF_8)).isZero();

    Path data = dir.resolve("data");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        getClass().getClassLoader())) {
      loader.loadClass("Snippet").getMethod("run", Path.class, EmbeddingModel.class)
          .invoke(null, data, new HashingEmbeddingModel());
    }
    try (Quiver db = Quiver.open(data)) {
      assertThat(db.collection("spring_ai").count()).isEqualTo(1);
    }
  }
}
