import com.adobe.epubcheck.tool.EpubChecker;

/** EPUBCheck on many files in one JVM: each FILE's messages go to FILE.epubcheck.json. */
public class EpubCheckBatch {
    public static void main(String[] args) {
        for (String file : args) {
            String report = file.replaceAll("\\.epub$", "") + ".epubcheck.json";
            new EpubChecker().run(new String[] {file, "-q", "--json", report});
        }
    }
}
