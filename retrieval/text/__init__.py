"""Text on its own: Unicode normalisation, word tokens and stems, sentences, shingles, languages."""
