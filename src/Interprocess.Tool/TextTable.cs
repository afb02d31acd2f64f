using System.Text;

namespace Interprocess.Tool;

/// <summary>A plain text table: a header row, then rows, columns padded to their widest cell.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers)
    {
        _headers = headers;
        _rightAligned = new bool[headers.Length];
    }

    /// <summary>Aligns the given columns to the right (numbers).</summary>
    public TextTable AlignRight(params int[] columns)
    {
        foreach (int c in columns)
        {
            _rightAligned[c] = true;
        }

        return this;
    }

    public int Count => _rows.Count;

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter output, string indent = "")
    {
        int n = _headers.Length;
        var widths = new int[n];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (int i = 0; i < n; i++)
            {
                widths[i] = Math.Max(widths[i], i < row.Length ? row[i].Length : 0);
            }
        }

        foreach (var row in _rows.Prepend(_headers))
        {
            var line = new StringBuilder(indent);
            for (int i = 0; i < n; i++)
            {
                string cell = i < row.Length ? row[i] : string.Empty;
                bool last = i == n - 1;
                line.Append(_rightAligned[i] ? cell.PadLeft(widths[i]) : last ? cell : cell.PadRight(widths[i]));
                if (!last)
                {
                    line.Append("  ");
                }
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}
