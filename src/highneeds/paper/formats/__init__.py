"""The paper in each format: HTML (nbconvert), tagged PDF and large print (WeasyPrint), Word
(python-docx), the auditor's edition and the DfE return workbook (openpyxl)."""
