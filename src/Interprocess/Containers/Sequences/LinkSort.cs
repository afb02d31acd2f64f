namespace Interprocess.Containers;

/// <summary>
/// Stable bottom-up merge sort of a singly linked chain of nodes in a segment (Simon Tatham's list merge sort):
/// O(n log n) comparisons, no allocation, no element moves; only the next links (at offset 0 of every node)
/// change. The caller validated every node of the chain first.
/// </summary>
internal static unsafe class LinkSort
{
    /// <summary>Sorts the chain that starts at <paramref name="head"/> and returns its new head.</summary>
    /// <param name="b">The segment base.</param>
    /// <param name="head">The first node's handle (0 = empty).</param>
    /// <param name="comparer">The order.</param>
    /// <param name="valueOffset">Where the element lies in a node.</param>
    internal static long Sort<T>(byte* b, long head, IComparer<T> comparer, int valueOffset)
        where T : unmanaged
    {
        if (head == 0)
        {
            return 0;
        }

        long list = head;
        for (long inSize = 1; ; inSize *= 2)
        {
            long p = list;
            list = 0;
            long tail = 0;
            int merges = 0;
            while (p != 0)
            {
                merges++;
                long q = p;
                long pSize = 0;
                for (long i = 0; i < inSize; i++)
                {
                    pSize++;
                    q = Next(b, q);
                    if (q == 0)
                    {
                        break;
                    }
                }

                long qSize = inSize;
                while (pSize > 0 || (qSize > 0 && q != 0))
                {
                    long e;
                    if (pSize == 0)
                    {
                        e = q;
                        q = Next(b, q);
                        qSize--;
                    }
                    else if (qSize == 0 || q == 0 || comparer.Compare(*(T*)(b + p + valueOffset), *(T*)(b + q + valueOffset)) <= 0)
                    {
                        e = p;
                        p = Next(b, p);
                        pSize--;
                    }
                    else
                    {
                        e = q;
                        q = Next(b, q);
                        qSize--;
                    }

                    if (tail != 0)
                    {
                        *(long*)(b + tail) = e;
                    }
                    else
                    {
                        list = e;
                    }

                    tail = e;
                }

                p = q;
            }

            *(long*)(b + tail) = 0;
            if (merges <= 1)
            {
                return list;
            }
        }
    }

    private static long Next(byte* b, long node) => *(long*)(b + node);
}
