"""The table schema, the column encoding and the task rule of nntricks.tabular."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from nntricks import MLPClassifier
from nntricks.persistence import load, save
from nntricks.preprocessing import MeanCenter, Standardize
from nntricks.tabular import (
    MISSING_CATEGORY,
    TableSchema,
    UnseenCategoryWarning,
    choose_task,
    classification_limit,
    describe_encoding,
    make_encoder,
    make_preprocessor,
    reporting_unseen_categories,
)

# saving fails today with "ValueError: cannot save a ColumnTransformer"


@pytest.fixture
def table():
    """Five rows: a numeric column with a missing cell, a text column with a missing cell,
    integer codes, and an identifier."""
    return pd.DataFrame({
        "weight": [1.0, np.nan, 3.0, 5.0, 4.0],
        "color": ["red", "blue", np.nan, "red", "green"],
        "size": [1, 2, 2, 3, 1],
        "id": [10, 11, 12, 13, 14],
    })


def fitted_schema(table, **params):
    params = {"categorical": ["size"], "drop": ["id"], "label": "y", **params}
    return TableSchema(**params).fit(table)


# -- the schema -----------------------------------------------------------------------------------

def test_the_schema_records_names_order_kinds_and_categories(table):
    schema = fitted_schema(table)
    assert schema.feature_names_in_.tolist() == ["weight", "color", "size"]
    assert schema.kinds_ == ["numeric", "categorical", "categorical"]
    assert schema.categories_ == {"color": ["blue", "green", "red"], "size": ["1", "2", "3"]}
    assert schema.numeric_columns == ["weight"]
    assert schema.categorical_columns == ["color", "size"]


def test_integer_codes_read_as_floats_are_the_same_categories(table):
    schema = fitted_schema(table)
    codes = table.assign(size=[1.0, 2.0, np.nan, 3.0, 1.0])  # a missing cell makes floats
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = schema.transform(codes)
    assert out["size"].tolist()[:2] == ["1", "2"] and pd.isna(out["size"][2])


def test_columns_are_matched_by_name_in_any_order(table):
    schema = fitted_schema(table)
    shuffled = table[["size", "id", "color", "weight"]]
    pd.testing.assert_frame_equal(schema.transform(shuffled), schema.transform(table))
    assert schema.transform(shuffled).columns.tolist() == ["weight", "color", "size"]


def test_drop_and_label_columns_are_ignored_present_or_absent(table):
    schema = fitted_schema(table)
    expected = schema.transform(table)
    pd.testing.assert_frame_equal(schema.transform(table.drop(columns="id")), expected)
    pd.testing.assert_frame_equal(schema.transform(table.assign(y=0)), expected)


@pytest.mark.parametrize("change, message", [
    (lambda t: t.rename(columns={"color": "colour"}),
     r"do not match the training data: missing 'color'; unexpected 'colour' \(the model "
     r"expects, in any order: 'weight', 'color', 'size'\)"),
    (lambda t: t.drop(columns=["color", "size"]), r"missing 'color', 'size' \("),
    (lambda t: t.assign(extra=1, more=2), r": unexpected 'extra', 'more' \("),
])
def test_a_missing_extra_or_renamed_column_is_refused_in_one_message(table, change, message):
    schema = fitted_schema(table)
    with pytest.raises(ValueError, match=message):
        schema.transform(change(table))


def test_input_without_names_is_checked_by_width(table):
    schema = fitted_schema(table)
    rows = table[["weight", "color", "size"]].to_numpy(dtype=object)
    pd.testing.assert_frame_equal(schema.transform(rows),
                                  schema.transform(table).reset_index(drop=True))
    with pytest.raises(ValueError, match=r"X has 2 columns, but the model was trained on 3: "
                                         r"'weight', 'color', 'size'"):
        schema.transform(rows[:, :2])


def test_a_schema_fitted_on_an_array_checks_width_and_keeps_float32():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    schema = TableSchema().fit(X)
    assert schema.kinds_ == ["numeric"] * 3 and not hasattr(schema, "feature_names_in_")
    assert schema.transform(X).dtype == np.float32
    with pytest.raises(ValueError, match=r"X has 2 columns, but the model was trained on 3$"):
        schema.transform(X[:, :2])


def test_a_numeric_table_comes_out_as_a_float_array():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan]})
    out = TableSchema().fit(frame).transform(frame[["b", "a"]])
    np.testing.assert_array_equal(out, [[1.0, 3.0], [2.0, np.nan]])


def test_text_in_a_numeric_column_is_refused(table):
    schema = fitted_schema(table)
    with pytest.raises(ValueError, match=r"column 'weight' holds 2 cells of text \(such as "
                                         r"'heavy'\), but it was numeric in training"):
        schema.transform(table.assign(weight=["heavy", "1", "2", "light", np.nan]))


def test_unseen_categories_are_counted_per_column_in_one_warning(table):
    schema = fitted_schema(table)
    new = table.assign(color=["purple", "teal", "purple", "red", np.nan], size=[1, 2, 9, 1, 1])
    with pytest.warns(UnseenCategoryWarning) as record:
        schema.transform(new)
    assert len(record) == 1
    assert str(record[0].message) == (
        "4 cells with categories not seen in training, encoded as unknown: "
        "color: 3 ('purple', 'teal'), size: 1 ('9')")


def test_known_categories_and_missing_cells_raise_no_warning(table):
    schema = fitted_schema(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema.transform(table.assign(color=[np.nan, None, "red", "red", "blue"]))


@pytest.mark.parametrize("params, X, message", [
    ({"categorical": ["shape"]}, None, r"categorical: no column named 'shape'; the columns "
                                       r"are 'weight', 'color', 'size', 'id'"),
    ({"categorical": ["a"]}, np.zeros((3, 2)), r"categorical columns 'a' are named, but X has "
                                               r"no column names"),
    ({}, "empty", r"every cell of column 'empty' is missing; drop it"),
])
def test_fit_refuses_what_it_cannot_record(table, params, X, message):
    if isinstance(X, str):
        X = table.assign(empty=np.nan)
    with pytest.raises(ValueError, match=message):
        TableSchema(**params).fit(table if X is None else X)


def test_the_schema_state_round_trips_and_is_checked(table):
    schema = fitted_schema(table)
    meta, arrays = schema.to_state()
    assert arrays == {}
    copy = TableSchema(**schema.get_params()).from_state(meta, arrays)
    pd.testing.assert_frame_equal(copy.transform(table), schema.transform(table))
    with pytest.raises(ValueError, match="categories do not match"):
        TableSchema().from_state({**meta, "categories": {"weight": ["1"]}}, {})
    with pytest.raises(ValueError, match="invalid column kinds"):
        TableSchema().from_state({**meta, "kinds": ["numeric", "text", "numeric"]}, {})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_saved_numeric_table_model_checks_columns_after_loading(tmp_path, rng):
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (frame["a"] > 0).astype(int)
    model = make_preprocessor(frame, Standardize(), label="y")
    model.steps.append(("mlp", MLPClassifier(hidden_layer_sizes=(4,), max_iter=3,
                                             random_state=0)))
    model.fit(frame, y)
    loaded = load(save(model, tmp_path / "model.npz"))
    assert [name for name, _ in loaded.steps] == ["schema", "preprocess", "mlp"]
    np.testing.assert_array_equal(loaded.predict_proba(frame[["c", "a", "b"]]),
                                  model.predict_proba(frame))
    with pytest.raises(ValueError, match="missing 'b'; unexpected 'B'"):
        loaded.predict(frame.rename(columns={"b": "B"}))


# -- the encoding ---------------------------------------------------------------------------------

def test_the_encoder_imputes_medians_with_indicators_and_one_hot_encodes(table):
    schema = fitted_schema(table)
    encoder = make_encoder(schema).fit(schema.transform(table))
    out = encoder.transform(schema.transform(table))
    # weight (the median of 1, 3, 5, 4 is 3.5), its missing indicator, color: (missing),
    # blue, green, red; size: 1, 2, 3
    expected_row_1 = [3.5, 1, 0, 1, 0, 0, 0, 1, 0]
    expected_row_2 = [3.0, 0, 1, 0, 0, 0, 0, 1, 0]
    np.testing.assert_array_equal(out[1:3], [expected_row_1, expected_row_2])
    categories = encoder.named_transformers_["categorical"].named_steps["encode"].categories_
    assert [list(c) for c in categories] == [["(missing)", "blue", "green", "red"],
                                            ["1", "2", "3"]]
    assert MISSING_CATEGORY == "(missing)"


def test_an_unseen_category_is_encoded_as_all_zeros(table):
    schema = fitted_schema(table)
    encoder = make_encoder(schema).fit(schema.transform(table))
    with pytest.warns(UnseenCategoryWarning):
        row = encoder.transform(schema.transform(table.assign(color="purple").iloc[:1]))
    np.testing.assert_array_equal(row, [[1.0, 0, 0, 0, 0, 0, 1, 0, 0]])


def test_the_numeric_branch_scales_after_imputing(table):
    schema = fitted_schema(table)
    out = make_encoder(schema, MeanCenter()).fit_transform(schema.transform(table))
    np.testing.assert_allclose(out[:, :2].mean(axis=0), 0, atol=1e-12)


@pytest.mark.parametrize("frame, scaling, steps", [
    (pd.DataFrame({"a": [1.0, 2.0]}), MeanCenter(), ["TableSchema", "MeanCenter"]),
    (pd.DataFrame({"a": [1.0, 2.0]}), None, ["TableSchema"]),
    (np.ones((2, 2)), MeanCenter(), ["TableSchema", "MeanCenter"]),
    (pd.DataFrame({"a": [1.0, np.nan]}), MeanCenter(), ["TableSchema", "ColumnTransformer"]),
    (pd.DataFrame({"a": ["x", "y"]}), None, ["TableSchema", "ColumnTransformer"]),
])
def test_the_encoder_is_used_when_the_table_needs_it(frame, scaling, steps):
    pipeline = make_preprocessor(frame, scaling)
    assert [type(step).__name__ for _, step in pipeline.steps] == steps


def test_the_summary_says_what_was_encoded_and_imputed(table):
    pipeline = make_preprocessor(table, MeanCenter(), categorical=["size"], drop=["id"])
    pipeline.fit(table)
    assert describe_encoding(pipeline, table.drop(columns="id")) == (
        "encoded 2 categorical columns (color: 4 categories, size: 3) into 7 features; "
        "1 missing categorical cell kept as the category '(missing)'; "
        "imputed 1 missing cell in 1 numeric column (median, with indicators)")
    numeric = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    pipeline = make_preprocessor(numeric, MeanCenter()).fit(numeric)
    assert describe_encoding(pipeline, numeric) == "2 numeric columns, no missing cells"


def test_unseen_categories_can_be_reported_in_one_line(table):
    schema = fitted_schema(table)
    lines = []
    with reporting_unseen_categories(lines.append):
        schema.transform(table.assign(color="purple"))
    assert lines == ["5 cells with categories not seen in training, encoded as unknown: "
                     "color: 5 ('purple')"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_saved_table_model_encodes_and_checks_columns_after_loading(table, tmp_path):
    model = make_preprocessor(table, MeanCenter(), categorical=["size"], drop=["id"])
    model.steps.append(("mlp", MLPClassifier(hidden_layer_sizes=(4,), max_iter=200,
                                             random_state=0)))
    y = np.array([0, 1, 0, 1, 1])
    model.fit(table, y)
    loaded = load(save(model, tmp_path / "model.npz"))
    np.testing.assert_array_equal(loaded.predict_proba(table[["size", "color", "weight"]]),
                                  model.predict_proba(table))
    with pytest.warns(UnseenCategoryWarning, match="color: 5"):
        loaded.predict(table.assign(color="purple"))


# -- the task rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("n, limit", [(1, 2), (3, 2), (9, 3), (150, 12), (442, 21),
                                      (1797, 42), (2600, 50), (70000, 50)])
def test_the_classification_limit(n, limit):
    assert classification_limit(n) == limit


def diabetes_target():
    from sklearn.datasets import load_diabetes

    return load_diabetes().target


@pytest.mark.parametrize("y, task, reason", [
    (np.array(["cat", "dog", "cat"]), "classification", "the label 'y' holds text (2 classes)"),
    (np.array([0.5, 1.0, 2.0]), "regression", "the label 'y' holds numbers that are not all "
                                              "integers"),
    (np.arange(1797) % 10, "classification", "the label 'y' has 10 distinct integer values "
                                             "in 1797 rows (classification allows at most 42)"),
    (np.repeat([0.0, 1.0, 2.0], 50), "classification", "the label 'y' has 3 distinct integer "
                                                       "values in 150 rows (classification "
                                                       "allows at most 12)"),
    (np.array([0, 1, 1]), "classification", "the label 'y' has 2 distinct integer values in 3 "
                                            "rows (classification allows at most 2)"),
    (np.arange(100) % 11, "regression", "the label 'y' has 11 distinct integer values in 100 "
                                        "rows (classification needs at most 10)"),
    (np.arange(10000) % 51, "regression", "the label 'y' has 51 distinct integer values in "
                                          "10000 rows (classification needs at most 50)"),
])
def test_the_task_rule(y, task, reason):
    assert choose_task(y, "y") == (task, reason)


def test_the_diabetes_target_is_a_regression():
    assert choose_task(diabetes_target(), "target") == (
        "regression", "the label 'target' has 214 distinct integer values in 442 rows "
                      "(classification needs at most 21)")


def test_a_requested_task_overrides_the_rule():
    assert choose_task(diabetes_target(), task="classification") == (
        "classification", "as requested")
    assert choose_task(np.array(["a", "b"]), task="regression") == ("regression", "as requested")
    with pytest.raises(ValueError, match="unknown task 'clustering'"):
        choose_task(np.array([1, 2]), task="clustering")


def test_the_pipeline_steps_have_the_expected_names(table):
    pipeline = make_preprocessor(table, MeanCenter(), categorical=["size"], drop=["id"])
    assert isinstance(pipeline, Pipeline)
    assert [name for name, _ in pipeline.steps] == ["schema", "preprocess"]


@pytest.mark.parametrize("y, rows", [
    (np.array([1.0, 2.0, np.nan, 1.0]), "1 row: row 2;"),
    (np.array(["a", None, "b", float("nan")], dtype=object), "2 rows: rows 1, 3;"),
    (np.full(8, np.nan), "8 rows: rows 0, 1, 2, 3, 4, ...;"),
])
def test_missing_labels_are_refused_naming_the_rows(y, rows):
    with pytest.raises(ValueError, match=f"the label 'y' is missing in {rows} drop those rows"):
        choose_task(y, "y")


@pytest.mark.parametrize("y", [np.array([]), [], np.array([], dtype=object)])
def test_no_labels_are_refused(y):
    with pytest.raises(ValueError, match="the label has no values"):
        choose_task(y)
