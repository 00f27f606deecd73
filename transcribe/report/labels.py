"""French labels and colours of error types and flags, shared by every report."""

TYPE_LABELS = {
    "omission": "omission",
    "ajout": "ajout",
    "substitution": "substitution (mot remplacé)",
    "usage": "orthographe d'usage",
    "homophone": "homophone grammatical",
    "accord": "accord",
    "accent": "accent",
    "majuscule": "majuscule",
    "ponctuation": "ponctuation",
}
TYPE_COLOURS = {
    "omission": "#d62728",
    "ajout": "#9467bd",
    "substitution": "#e377c2",
    "usage": "#ff7f0e",
    "homophone": "#bcbd22",
    "accord": "#1f77b4",
    "accent": "#17becf",
    "majuscule": "#2ca02c",
    "ponctuation": "#8c564b",
}
RICH_STYLES = {
    "omission": "bold white on red",
    "ajout": "bold white on magenta",
    "substitution": "bold black on bright_magenta",
    "usage": "bold black on dark_orange",
    "homophone": "bold black on yellow",
    "accord": "bold white on blue",
    "accent": "bold black on cyan",
    "majuscule": "bold black on green",
    "ponctuation": "bold white on grey37",
}
FLAG_LABELS = {
    "terme_medical": "terme médical",
    "valeur_critique": "valeur critique",
    "identite": "identité du patient",
}
ORIGIN_LABELS = {
    "brouillon": "laissée du brouillon",
    "apprenant": "introduite par l'apprenant",
}
