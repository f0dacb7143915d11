"""The view layer: map building, self-served map assets and translations.

``mapview`` and ``assets`` are pure (no Streamlit); only ``app.py`` calls ``st.``.
"""
