"""Results by group (ADS+): who answered what, and what each group's ballots say.

Pure core. A workshop may ask its participants optional profile questions (gender,
territory, sector, lived experience of poverty); these modules turn the answers and the
ballots of a closed activity into figures that can be published without exposing anyone:

- `cells`: which groups may be shown at all (small-cell and complementary suppression);
- `weights`: the weights under which every group of a question counts the same;
- `breakdown`: each shown group's result beside the overall one, the priorities that
  unite the groups (consensus) and those that divide them (gaps).

Every surface (pages, pushes, exports) must go through `breakdown`, so the same
suppression holds everywhere.
"""
