import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The synthetic question check's term scan, before (find from each position) and after. */
public class TermScan {
  static final Pattern OLD = Pattern.compile("\\s*(\\d+)\\s*([-+*])?");
  static final Pattern NEW = Pattern.compile("\\s*+(\\d++)\\s*+([-+*])?");

  static int old(String q) {
    Matcher m = OLD.matcher(q);
    int pos = 0, n = 0;
    while (pos < q.length() && m.find(pos) && m.start() == pos) { pos = m.end(); n++; if (m.group(2) == null) break; }
    return n;
  }

  static int now(String q) {
    Matcher m = NEW.matcher(q);
    int pos = 0, n = 0;
    while (pos < q.length() && m.region(pos, q.length()).lookingAt()) { pos = m.end(); n++; if (m.group(2) == null) break; }
    return n;
  }

  public static void main(String[] a) {
    for (int kb : new int[] {10, 30, 100, 300}) {
      String q = "1+" + " ".repeat(kb * 1000) + "x";
      long t0 = System.nanoTime(); now(q); now(q); long t1 = System.nanoTime();
      old(q); long t2 = System.nanoTime();
      System.out.printf("%4d kB: before %8.1f ms, after %6.2f ms%n", kb, (t2 - t1) / 1e6, (t1 - t0) / 2e6);
      if ((t2 - t1) > 60e9) break;
    }
  }
}
