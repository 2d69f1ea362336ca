"""The paper sizes of printed reports, apart from the PDF code (pdf_layout.py), so that pages
offering a size do not import fpdf and matplotlib at start-up."""

PAPERS = {"a4": "A4", "letter": "Letter"}  # ?paper= value -> fpdf's format name
